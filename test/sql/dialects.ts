/** The SQL engines the tests in test/sql loop over, each with its fixture. */
import { createMysqlFixture } from '../support/mysql-fixture.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';

export const SQL_DIALECTS: readonly { readonly name: string; readonly createFixture: () => Promise<SqlFixture> }[] = [
  { name: 'sqlite', createFixture: createSqliteFixture },
  { name: 'postgres', createFixture: createPostgresFixture },
  { name: 'mysql', createFixture: createMysqlFixture },
];
