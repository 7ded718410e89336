import type { ColumnTypes } from '../column-types.js';

/**
 * MySQL/MariaDB column types: ASCII with binary collation, so keys are case-sensitive and the
 * (cluster, key) primary key stays within InnoDB's 3072-byte index limit (128 + 512 bytes).
 */
export const mysqlColumns: ColumnTypes = Object.freeze({
  name: 'VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin',
  key: 'VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin',
  integer: 'BIGINT',
  document: 'MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
  tableOptions: ' ENGINE=InnoDB',
  // MariaDB reads IF NOT EXISTS here, MySQL 8 does not: an index already there is error 1061.
  indexIfNotExists: '',
});
