import type { SqlDialect } from '../dialect.js';
import { driverError } from '../driver-error.js';

/**
 * SQLite. Its `julianday('now')` is the time of the current statement; converted to epoch ms
 * (2440587.5 is the Julian day of 1970-01-01T00:00Z, 86400000 ms per day).
 */
export const sqliteDialect: SqlDialect = Object.freeze({
  name: 'sqlite',
  nowMs: `CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)`,
  quote: (identifier: string) => `"${identifier}"`,
  // A write statement holds the database's write lock from its first read to its commit.
  lockLease: '',
  // Waiters poll: a handover would save them nothing (dialect.ts).
  handsOver: false,
  returning: true,
  electionRows: "(SELECT json_extract(value, '$.n') AS n, json_extract(value, '$.h') AS h, json_extract(value, '$.o') AS o, json_extract(value, '$.i') AS i, json_extract(value, '$.t') AS t FROM json_each(?)) AS r",
  isUniqueViolation: (error: unknown) => {
    const code = driverError(error)?.['code'];
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  },
  // DDL is transactional: a migration is never left half applied.
  isAlreadyApplied: () => false,
  tableExists: "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?",
});
