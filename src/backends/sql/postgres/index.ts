import type { SqlBackendOptions } from '../sql-backend.js';
import { SqlBackend } from '../sql-backend.js';
import { tableNames } from '../table-prefix.js';
import { openPostgresConnection } from './connection.js';

/**
 * Opens the PostgreSQL backend on `url` (postgres:// or postgresql://). Changes are announced
 * with NOTIFY on the channel `{prefix}changes`, so waiters wake at once.
 *
 * @example
 * const backend = await openPostgresBackend('postgres://baton@db/baton', { cluster: 'demo' });
 */
export async function openPostgresBackend(url: string, options: SqlBackendOptions): Promise<SqlBackend> {
  const tables = tableNames(options.tablePrefix);
  return SqlBackend.open('postgres', await openPostgresConnection(url, `${tables.prefix}changes`), options);
}
