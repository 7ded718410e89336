/**
 * A SQLite database file in a fresh temporary directory; `teardown` removes the directory
 * (with the -wal and -shm files). Also defines {@link SqlFixture}, shared by the SQL fixtures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DialectName, SqlParam, SqlResult } from '../../src/backends/sql/dialect.js';
import { openSqliteConnection } from '../../src/backends/sql/sqlite/connection.js';

/** One test database of one SQL engine. */
export interface SqlFixture {
  readonly dialect: DialectName;
  /** Database name (the file path for SQLite). */
  readonly database: string;
  /** Store URL for openStore. */
  readonly url: string;
  /** Runs raw SQL (`?` placeholders) on the database, bypassing baton. */
  run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult>;
  /** Drops the database / removes the file. */
  teardown(): Promise<void>;
}

export async function createSqliteFixture(): Promise<SqlFixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-sqlite-'));
  const file = path.join(dir, 'baton.db');
  const raw = await openSqliteConnection(file);
  return {
    dialect: 'sqlite',
    database: file,
    url: `sqlite:${file}`,
    run: (sql, params) => raw.run(sql, params),
    async teardown() {
      await raw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
