import type { ColumnTypes } from '../column-types.js';

/** PostgreSQL column types: "C" collation so names sort and compare byte by byte. */
export const postgresColumns: ColumnTypes = Object.freeze({
  name: 'VARCHAR(128) COLLATE "C"',
  key: 'VARCHAR(512) COLLATE "C"',
  integer: 'BIGINT',
  document: 'TEXT',
  tableOptions: '',
  indexIfNotExists: ' IF NOT EXISTS',
});
