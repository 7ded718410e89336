/**
 * baton's SQL backends: SQLite (embedded default; several processes may share one file),
 * PostgreSQL (LISTEN/NOTIFY wake-ups) and MySQL/MariaDB (polling), all one implementation of
 * the backend contract over a small dialect interface (dialect.ts). Usually opened through
 * `openStore(url, options)`; `schemaDdl(dialect, prefix)` prints the schema for a DBA.
 *
 * @example
 * const backend = await openSqliteBackend('./.baton/baton.db', { cluster: 'demo' });
 * const session = await backend.openSession({ nodeId: 'n1', info: {}, timing: validateTiming() });
 * const leadership = await session.campaign('leader', { host: 'n1' });
 */
export { SqlBackend, type SqlBackendOptions } from './sql-backend.js';
export { schemaDdl } from './migrations.js';
export { DEFAULT_TABLE_PREFIX, validateTablePrefix, tableNames, type TableNames } from './table-prefix.js';
export type { DialectName } from './dialect.js';
export { openSqliteBackend } from './sqlite/index.js';
export { openPostgresBackend } from './postgres/index.js';
export { openMysqlBackend } from './mysql/index.js';
