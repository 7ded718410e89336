/**
 * migrate() on a store whose tables are at the latest version reads the recorded versions and
 * stops there, without the migration lock: nodes restarted together open the store side by side
 * instead of queueing behind the lock one after another. A store that lacks a version still
 * takes the lock (the upgrades themselves run in test/sql/migrations.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlConnection, SqlResult } from '../../../src/backends/sql/dialect.js';
import { migrate } from '../../../src/backends/sql/migrations.js';
import { postgresDialect } from '../../../src/backends/sql/postgres/dialect.js';
import { tableNames } from '../../../src/backends/sql/table-prefix.js';

/** A connection that answers the version reads with `versions` and counts lock takes; every other statement fails. */
function fakeConnection(versions: readonly number[]): { readonly connection: SqlConnection; readonly locks: () => number } {
  let locks = 0;
  const run = async (sql: string): Promise<SqlResult> => {
    if (sql === postgresDialect.tableExists) return { rows: versions.length > 0 ? [{ found: 1 }] : [], changes: 0 };
    if (/^SELECT version FROM/.test(sql)) return { rows: versions.map((version) => ({ version })), changes: 0 };
    throw new Error(`unexpected statement: ${sql}`);
  };
  const connection = {
    dialect: postgresDialect,
    run,
    withMigrationLock: async () => {
      locks += 1;
      throw new Error('lock taken');
    },
  } as unknown as SqlConnection;
  return { connection, locks: () => locks };
}

describe('migrate on a store at the latest version', () => {
  it('takes no lock when every version is recorded', async () => {
    const { connection, locks } = fakeConnection(Array.from({ length: 100 }, (_, i) => i + 1));
    await migrate(connection, tableNames('baton_'));
    assert.equal(locks(), 0);
  });

  it('takes the lock when a version is missing, and when there is no migrations table', async () => {
    for (const versions of [[1, 2], []]) {
      const { connection, locks } = fakeConnection(versions);
      await assert.rejects(migrate(connection, tableNames('baton_')), /lock taken/);
      assert.equal(locks(), 1);
    }
  });
});
