/**
 * PostgreSQL commits a write marked `durable: false` (a graceful lease release) without waiting
 * for its WAL flush, through set_config(..., true) inside that one statement. These tests check
 * what safety needs of it: the write still lands and is announced, and the relaxed setting
 * never outlives its statement on a pooled connection (every later take must stay durable).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlConnection } from '../../src/backends/sql/dialect.js';
import { openPostgresConnection } from '../../src/backends/sql/postgres/connection.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { withTimeout } from '../support/wait.js';

/** More writes at once than the pool has connections, so every pooled connection runs one. */
const PARALLEL = 8;

describe('relaxed release: postgres', () => {
  let fixture: SqlFixture;
  let writer: SqlConnection;
  let listener: SqlConnection;
  before(async () => {
    fixture = await createPostgresFixture();
    await fixture.run('CREATE TABLE relaxed_row (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
    await fixture.run('INSERT INTO relaxed_row VALUES (1, 0)');
    writer = await openPostgresConnection(fixture.url, 'relaxed_test');
    listener = await openPostgresConnection(fixture.url, 'relaxed_test');
  });
  after(async () => {
    await writer?.close();
    await listener?.close();
    await fixture?.teardown();
  });

  it('lands and is announced like a durable write', async () => {
    const announced = new Promise<void>((resolve) => listener.onAnnounce('c1', () => resolve()));
    const { rows } = await writer.runAndAnnounce('UPDATE relaxed_row SET v = v + 1 WHERE id = ? RETURNING v', [1], 'c1', { durable: false });
    assert.equal(Number(rows[0]?.['v']), 1);
    await withTimeout('the announcement of a relaxed write', announced);
    assert.equal(Number((await fixture.run('SELECT v FROM relaxed_row WHERE id = 1')).rows[0]?.['v']), 1);
  });

  it('leaves synchronous_commit on for every later statement of the pool', async () => {
    await Promise.all(
      Array.from({ length: PARALLEL }, () => writer.runAndAnnounce('UPDATE relaxed_row SET v = v + 1 WHERE id = ? RETURNING v', [1], 'c1', { durable: false })),
    );
    const settings = await Promise.all(Array.from({ length: PARALLEL }, () => writer.run("SELECT current_setting('synchronous_commit') AS s, pg_backend_pid() AS pid, pg_sleep(0.05)")));
    assert.ok(new Set(settings.map((r) => r.rows[0]?.['pid'])).size > 1, 'the reads did not spread over the pool');
    for (const { rows } of settings) assert.equal(rows[0]?.['s'], 'on');
  });
});
