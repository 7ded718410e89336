/**
 * Issue 12, idle CPU on MariaDB: the reads of one turn of the event loop (an idle node's polls,
 * which wake at the same tick) go to the server as one multi-statement query (readBatched), and
 * each still settles with its own rows or its own error. On the real server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlConnection } from '../../src/backends/sql/dialect.js';
import { openMysqlConnection } from '../../src/backends/sql/mysql/connection.js';
import { ClosedError, StoreUnavailableError } from '../../src/errors.js';
import { createMysqlFixture } from '../support/mysql-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';

const WHO = 'SELECT CONNECTION_ID() AS id, ? AS tag';

describe('mysql: batched reads', () => {
  let fixture: SqlFixture | undefined;
  let connection: SqlConnection | undefined;
  before(async () => {
    fixture = await createMysqlFixture();
    connection = await openMysqlConnection(fixture.url);
    await connection.run('CREATE TABLE kept (v INT)');
    await connection.run('INSERT INTO kept VALUES (1)');
  });
  after(async () => {
    await connection?.close();
    await fixture?.teardown();
  });

  it('reads of one turn share one connection and round trip; each gets its own rows', async () => {
    const tags = ['a', 'b', 'c'];
    const batched = await Promise.all(tags.map((tag) => connection!.readBatched(WHO, [tag])));
    assert.deepEqual(
      batched.map((r) => r.rows.map((row) => String(row['tag']))),
      tags.map((tag) => [tag]),
    );
    assert.equal(new Set(batched.map((r) => Number(r.rows[0]?.['id']))).size, 1, 'one connection answered all three');
    // The same three through `run` at once spread over the pool: the check above can fail.
    const alone = await Promise.all(tags.map((tag) => connection!.run(WHO, [tag])));
    assert.ok(new Set(alone.map((r) => Number(r.rows[0]?.['id']))).size > 1, 'the pool ran them side by side');
  });

  it('a read that fails fails alone: the others of its batch still get their rows', async () => {
    const [before, broken, afterwards] = await Promise.allSettled([
      connection!.readBatched('SELECT v FROM kept'),
      connection!.readBatched('SELECT v FROM no_such_table'),
      connection!.readBatched(WHO, ['z']),
    ]);
    assert.deepEqual(before.status === 'fulfilled' && before.value.rows, [{ v: 1 }]);
    assert.ok(broken.status === 'rejected' && broken.reason instanceof StoreUnavailableError, 'the missing table is its own error');
    assert.equal(afterwards.status === 'fulfilled' && afterwards.value.rows[0]?.['tag'], 'z');
  });

  it('a parameter is data, never a statement of the batch', async () => {
    const evil = "x'; DROP TABLE kept; --";
    const [echoed, kept] = await Promise.all([connection!.readBatched('SELECT ? AS tag', [evil]), connection!.readBatched('SELECT COUNT(*) AS n FROM kept')]);
    assert.equal(echoed.rows[0]?.['tag'], evil);
    assert.equal(Number(kept.rows[0]?.['n']), 1);
    assert.equal(Number((await connection!.run('SELECT COUNT(*) AS n FROM kept')).rows[0]?.['n']), 1, 'the table is still there');
  });

  it('a statement sent with runWithNextBatch waits for the next batch of reads and shares its round trip', async () => {
    let sent = false;
    const rider = connection!.runWithNextBatch(WHO, ['rider'], 60_000, () => (sent = true));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sent, false, 'nothing was sent before a batch of reads');
    const [polled, rode] = await Promise.all([connection!.readBatched(WHO, ['poll']), rider]);
    assert.ok(sent);
    assert.equal(rode.rows[0]?.['tag'], 'rider');
    assert.equal(polled.rows[0]?.['tag'], 'poll');
    assert.equal(Number(rode.rows[0]?.['id']), Number(polled.rows[0]?.['id']), 'one connection answered both');
  });

  it('a write rides too and tells how many rows it changed', async () => {
    const [write, read] = await Promise.all([connection!.runWithNextBatch('UPDATE kept SET v = 1 WHERE v = 1', [], 60_000), connection!.readBatched('SELECT v FROM kept')]);
    assert.equal(write.changes, 1);
    assert.deepEqual(read.rows, [{ v: 1 }]);
  });

  it('with no batch coming, the statement goes alone once its wait is over', async () => {
    const alone = await connection!.runWithNextBatch(WHO, ['alone'], 20);
    assert.equal(alone.rows[0]?.['tag'], 'alone');
  });

  it('a burst of reads in one turn goes in several queries, each read with its own rows', async () => {
    const tags = Array.from({ length: 70 }, (_, i) => `t${i}`);
    const results = await Promise.all(tags.map((tag) => connection!.readBatched(WHO, [tag])));
    assert.deepEqual(
      results.map((r) => r.rows[0]?.['tag']),
      tags,
    );
  });

  it('closing the connection settles a statement waiting for a batch at once', async () => {
    const other = await openMysqlConnection(fixture!.url);
    const rider = other.runWithNextBatch(WHO, ['late'], 60_000);
    await other.close();
    await assert.rejects(rider, ClosedError);
  });
});
