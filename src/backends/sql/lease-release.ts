import type { SqlContext } from './sql-context.js';

/**
 * Gives up the lease of `election` that `session` holds at `term` (matched by both, so a
 * newer term of the same session is never touched), announcing it. Every release goes through
 * here: a graceful end of a term (sql-leadership.ts), a take that landed after its campaign
 * ended, a row the session holds for nobody (session-leases.ts), a lease handed to a campaign
 * that had ended (waiters.ts).
 *
 * Where the engine hands over (dialect.ts handsOver), the same statement hands the lease to
 * the longest-waiting live waiter at term + 1 (statements.ts leaseHandOver), and the
 * announcement tells that waiter its term. A handover commits durably: it grants a term to
 * someone who will act on it, and terms never repeat (docs/safety.md rule 6).
 *
 * A release that hands over to nobody is not durable: lost in a server crash, the row still
 * names the old holder, which has stopped; the session's reconciliation (session-leases.ts)
 * releases it again, or it frees with the session. Any later durable commit (the successor's
 * take) flushes it first, as the log is written in order.
 *
 * Where the dialect releases many elections in one statement (PostgreSQL, SQLite), the release
 * waits for the backend's next such statement (release-batcher.ts), which carries every
 * release asked for at the same time, each decided and handed over as above: a node leaving
 * with thousands of items sends a few statements, not thousands. Every caller asks only once
 * nobody acts for the term any more, so grouping never releases a row early.
 */
export async function releaseLease(ctx: SqlContext, election: string, session: string, term: number): Promise<void> {
  const { connection, sql, cluster, releases } = ctx;
  if (releases !== undefined) {
    await releases.release(election, session, term);
    return;
  }
  if (connection.dialect.handsOver) {
    const params = [cluster, election, session, cluster, election, session, term];
    await connection.runAndAnnounce(sql.leaseHandOver, params, cluster, { durable: false, topic: election, handover: true });
    return;
  }
  await connection.runAndAnnounce(sql.leaseRelease, [cluster, election, session, term], cluster, { durable: false, topic: election });
}
