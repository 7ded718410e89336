import type { SqlDialect } from '../dialect.js';
import { driverError } from '../driver-error.js';

/**
 * PostgreSQL. `clock_timestamp()` is the server's time when evaluated; `now()` would be the
 * transaction's start and could lag behind inside a longer transaction.
 */
export const postgresDialect: SqlDialect = Object.freeze({
  name: 'postgres',
  nowMs: `(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000))::BIGINT`,
  quote: (identifier: string) => `"${identifier}"`,
  // FOR SHARE, not FOR KEY SHARE: it must conflict with the takeover's FOR NO KEY UPDATE.
  lockLease: ' FOR SHARE',
  // LISTEN/NOTIFY: a release hands the lease to a waiter, whom the NOTIFY tells (dialect.ts).
  handsOver: true,
  returning: true,
  electionRows: 'json_to_recordset(CAST(? AS json)) AS r(n text, h text, o text, i text, t bigint)',
  // 23505: unique_violation.
  isUniqueViolation: (error: unknown) => driverError(error)?.['code'] === '23505',
  // DDL is transactional: a migration is never left half applied.
  isAlreadyApplied: () => false,
  tableExists: 'SELECT 1 AS found FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?',
});
