import type { SqlDialect } from '../dialect.js';
import { driverError } from '../driver-error.js';

/**
 * MySQL and MariaDB. `SYSDATE(3)` is the server's time when evaluated (`NOW()` is the
 * statement's start); connections set `time_zone = '+00:00'` so UNIX_TIMESTAMP never meets a
 * daylight-saving gap or overlap.
 */
export const mysqlDialect: SqlDialect = Object.freeze({
  name: 'mysql',
  nowMs: `CAST(FLOOR(UNIX_TIMESTAMP(SYSDATE(3)) * 1000) AS SIGNED)`,
  quote: (identifier: string) => `\`${identifier}\``,
  lockLease: ' LOCK IN SHARE MODE', // MySQL 8 also reads FOR SHARE; MariaDB only this
  // Waiters poll: a handover would save them nothing (dialect.ts).
  handsOver: false,
  returning: false,
  // One election per statement: without RETURNING a statement cannot say which of many rows
  // it took and at which term, and INSERT ... ON DUPLICATE KEY UPDATE has no WHERE, so leaving
  // a held row alone would take an IF() on the free-row condition in every assignment, where
  // MySQL evaluates the assignments left to right (each later IF would see the new holder).
  // Releases go one per statement too: an UPDATE joined to JSON_TABLE (MariaDB 10.6+) could
  // release many, but it is not built (nor measured) yet.
  electionRows: undefined,
  // 1062: ER_DUP_ENTRY.
  isUniqueViolation: (error: unknown) => driverError(error)?.['errno'] === 1062,
  // 1060: ER_DUP_FIELDNAME; 1061: ER_DUP_KEYNAME.
  isAlreadyApplied: (error: unknown) => [1060, 1061].includes(Number(driverError(error)?.['errno'])),
  tableExists: 'SELECT 1 AS found FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
});
