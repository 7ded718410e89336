import type { ColumnTypes } from '../column-types.js';

/** SQLite column types: TEXT compares with BINARY collation (byte order) by default. */
export const sqliteColumns: ColumnTypes = Object.freeze({
  name: 'TEXT',
  key: 'TEXT',
  integer: 'INTEGER',
  document: 'TEXT',
  tableOptions: '',
  indexIfNotExists: ' IF NOT EXISTS',
});
