/** SQLite: one database file; the nodes share it directly (no network to cut). */
import Database from 'better-sqlite3';
import { createSqliteFixture } from '../../test/support/sqlite-fixture.js';
import type { ChaosStore } from './chaos-store.js';

export async function sqliteStore(): Promise<ChaosStore> {
  const fixture = await createSqliteFixture();
  return {
    backend: 'sqlite',
    networked: false,
    nodeUrl: fixture.url,
    adminUrl: fixture.url,
    async lockLeaseRows() {
      // A foreign write transaction: every writer waits on the file lock (busy timeout) until it ends.
      const db = new Database(fixture.database);
      db.exec('BEGIN IMMEDIATE');
      return async () => {
        db.exec('ROLLBACK');
        db.close();
      };
    },
    close: () => fixture.teardown(),
  };
}
