export { SqlBackend, type SqlBackendOptions } from './sql-backend.js';
export { schemaDdl } from './migrations.js';
export { DEFAULT_TABLE_PREFIX, validateTablePrefix, tableNames, type TableNames } from './table-prefix.js';
export type { DialectName } from './dialect.js';
export { openSqliteBackend } from './sqlite/index.js';
export { openPostgresBackend } from './postgres/index.js';
export { openMysqlBackend } from './mysql/index.js';
