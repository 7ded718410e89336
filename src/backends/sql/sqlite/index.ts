import type { SqlBackendOptions } from '../sql-backend.js';
import { SqlBackend } from '../sql-backend.js';
import { tableNames } from '../table-prefix.js';
import { openSqliteConnection } from './connection.js';

/**
 * Opens the SQLite backend on the database file `file` (created with its directory). Several
 * processes on one machine may share the file.
 *
 * @example
 * const backend = await openSqliteBackend('./.baton/baton.db', { cluster: 'demo' });
 */
export async function openSqliteBackend(file: string, options: SqlBackendOptions): Promise<SqlBackend> {
  tableNames(options.tablePrefix); // a bad prefix fails before any I/O
  return SqlBackend.open('sqlite', await openSqliteConnection(file), options);
}
