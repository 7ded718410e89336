import type { SqlBackendOptions } from '../sql-backend.js';
import { SqlBackend } from '../sql-backend.js';
import { tableNames } from '../table-prefix.js';
import { openMysqlConnection } from './connection.js';

/**
 * Opens the MySQL/MariaDB backend on `url` (mysql:// or mariadb://). Watchers and waiting
 * campaigners poll every pollIntervalMs.
 *
 * @example
 * const backend = await openMysqlBackend('mysql://root@db/baton', { cluster: 'demo' });
 */
export async function openMysqlBackend(url: string, options: SqlBackendOptions): Promise<SqlBackend> {
  tableNames(options.tablePrefix); // a bad prefix fails before any I/O
  return SqlBackend.open('mysql', await openMysqlConnection(url), options);
}
