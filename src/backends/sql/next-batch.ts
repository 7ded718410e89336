import type { SqlContext } from './sql-context.js';

/**
 * How long a statement that runs every `periodMs` (a session's renewal with its leases' digest,
 * a waiting campaign's capped look) may wait for the polls' next round trip
 * (SqlConnection.runWithNextBatch) where reads are batched (MySQL); the caller pauses that much
 * less, so the statement is still sent at most periodMs after the last one. The polls read
 * every poll period at the backend's ticks (shared-polls.ts), so while any watch runs a batch
 * comes within one poll period and the statement costs no round trip of its own; at most half
 * the period, so a poll period longer than that makes it at most twice as frequent. 0 where
 * nothing is batched: the statement is sent when due.
 */
export function nextBatchWaitMs(ctx: SqlContext, periodMs: number): number {
  return ctx.connection.batchesReads ? Math.min(ctx.pollIntervalMs, periodMs / 2) : 0;
}
