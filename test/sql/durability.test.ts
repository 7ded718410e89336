/**
 * Fencing tokens never repeat only if a committed lease acquisition survives a crash (issue 10,
 * case 10): SQLite commits with `synchronous = FULL` on the connection baton uses; PostgreSQL
 * and MySQL report, as a process warning, server settings that may lose a commit.
 */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import { DURABILITY_WARNING } from '../../src/backends/sql/durability.js';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { openSqliteConnection } from '../../src/backends/sql/sqlite/connection.js';
import { createMysqlFixture } from '../support/mysql-fixture.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';

/** PRAGMA synchronous value of FULL (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA). */
const SYNCHRONOUS_FULL = 2;

/** Durability warnings emitted while `fn` runs, and until the next turn of the event loop after it. */
async function durabilityWarnings(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error) => {
    if (warning.name === DURABILITY_WARNING) seen.push(warning.message);
  };
  process.on('warning', listener);
  try {
    await fn();
    await nextTurn(); // process warnings are emitted on the next tick
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('durable lease writes', () => {
  const fixtures: SqlFixture[] = [];
  after(async () => {
    for (const f of fixtures) await f.teardown();
  });

  it('sqlite: the connection a backend runs on commits with synchronous = FULL', async () => {
    const fixture = await createSqliteFixture();
    fixtures.push(fixture);
    const connection = await openSqliteConnection(fixture.database);
    const backend = await SqlBackend.open('sqlite', connection, { cluster: 'durable' });
    try {
      const { rows } = await connection.run('PRAGMA synchronous');
      assert.equal(Number(rows[0]?.['synchronous']), SYNCHRONOUS_FULL);
      const journal = await connection.run('PRAGMA journal_mode');
      assert.equal(journal.rows[0]?.['journal_mode'], 'wal');
    } finally {
      await backend.close();
    }
  });

  it('postgres: opening a database with synchronous_commit = off warns, naming the setting; a durable one does not', async () => {
    const fixture = await createPostgresFixture();
    fixtures.push(fixture);
    const quiet = await durabilityWarnings(async () => (await openStore(fixture.url, { cluster: 'durable' })).close());
    assert.deepEqual(quiet, []);
    await fixture.run(`ALTER DATABASE ${fixture.database} SET synchronous_commit = off`);
    const warned = await durabilityWarnings(async () => (await openStore(fixture.url, { cluster: 'durable' })).close());
    assert.equal(warned.length, 1, warned.join('\n'));
    assert.match(warned[0] ?? '', /synchronous_commit = off/);
  });

  it('mysql: a server that flushes its log at each commit opens without a warning', async () => {
    const fixture = await createMysqlFixture();
    fixtures.push(fixture);
    const warned = await durabilityWarnings(async () => (await openStore(fixture.url, { cluster: 'durable' })).close());
    assert.deepEqual(warned, []);
  });
});
