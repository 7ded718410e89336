import type { CallOptions } from '../../backend/contract.js';
import { AbortedError, ClosedError, SessionLostError, StoreUnavailableError } from '../../errors.js';
import type { AcquiredLease, LeaseHolder } from './sql-leadership.js';
import type { SqlContext } from './sql-context.js';
import type { SqlRow } from './dialect.js';
import { anySignal, raceSignal } from './signals.js';

/** Who campaigns, and with what. */
export interface Campaigner extends LeaseHolder {
  readonly nodeId: string;
  readonly state: string;
}

/**
 * One attempt to acquire `election`. Resolves null when someone else holds a live lease.
 *  1. take the row if it is free or expired on the DB clock (term + 1);
 *  2. if nothing matched and no row exists, insert it at term 1 (first election ever; a
 *     concurrent insert of the same row makes this one fail on the primary key: not acquired);
 *  3. learn the new term, and announce the new leader.
 * Each step is one autocommitted statement, so no lock of the lease row is held across a round
 * trip (safety model 5: a campaigner frozen between two steps blocks nobody). With RETURNING
 * (PostgreSQL, SQLite) the common case is one round trip; MySQL learns the term with one more
 * read of the row by holder (only this session can change a row it holds before it expires).
 */
export async function tryAcquire(ctx: SqlContext, who: Campaigner, election: string, infoText: string): Promise<AcquiredLease | null> {
  const { connection, clock } = ctx;
  const startedAt = clock.now();
  try {
    const acquired = connection.dialect.returning ? await acquireReturning(ctx, who, election, infoText) : await acquireThenRead(ctx, who, election, infoText);
    return acquired === null ? null : { ...acquired, startedAt };
  } catch (error) {
    if (connection.dialect.isUniqueViolation(error)) return null;
    throw error;
  }
}

type AcquiredTerm = { term: number };

function acquiredTerm(row: SqlRow | undefined): AcquiredTerm | null {
  return row === undefined ? null : { term: Number(row['term']) };
}

async function acquireReturning(ctx: SqlContext, who: Campaigner, election: string, infoText: string): Promise<AcquiredTerm | null> {
  const { connection, sql, cluster } = ctx;
  const ttl = who.timing.ttlMs;
  const took = await connection.runAndAnnounce(sql.leaseTakeReturning, [who.id, who.nodeId, ttl, infoText, cluster, election], cluster);
  if (took.rows.length > 0) return acquiredTerm(took.rows[0]);
  const { rows } = await connection.run(sql.leaseExists, [cluster, election]);
  if (rows.length > 0) return null;
  const inserted = await connection.runAndAnnounce(sql.leaseInsertReturning, [cluster, election, who.id, who.nodeId, ttl, infoText], cluster);
  return acquiredTerm(inserted.rows[0]);
}

async function acquireThenRead(ctx: SqlContext, who: Campaigner, election: string, infoText: string): Promise<AcquiredTerm | null> {
  const { connection, sql, cluster } = ctx;
  const ttl = who.timing.ttlMs;
  const took = await connection.runAndAnnounce(sql.leaseTake, [who.id, who.nodeId, ttl, infoText, cluster, election], cluster);
  if (took.changes === 0) {
    const { rows } = await connection.run(sql.leaseExists, [cluster, election]);
    if (rows.length > 0) return null;
    await connection.runAndAnnounce(sql.leaseInsert, [cluster, election, who.id, who.nodeId, ttl, infoText], cluster);
  }
  const { rows } = await connection.run(sql.leaseMine, [cluster, election, who.id]);
  return acquiredTerm(rows[0]);
}

/**
 * Waits until `who` holds `election`:
 *  1. try to acquire at once (the first election on an empty store is immediate);
 *  2. held by someone else, or the store unreachable: wait pollIntervalMs, or less when the
 *     engine announces a change (PostgreSQL NOTIFY), then try again;
 *  3. the wait ends with an error when `options.signal` aborts or the session is lost; an
 *     acquisition that lands after that is released at once (nobody acted for it);
 *  4. an acquisition whose local deadline has already passed when its answer is read (a
 *     pause) is released and tried again: campaign never resolves with a term already over.
 */
export async function campaignLoop(ctx: SqlContext, who: Campaigner, election: string, infoText: string, options?: CallOptions): Promise<AcquiredLease> {
  const { signal, dispose } = anySignal([options?.signal, who.lost, ctx.closed]);
  try {
    for (;;) {
      const generation = ctx.feed.generation;
      const attempt = tryAcquire(ctx, who, election, infoText);
      let lease: AcquiredLease | null;
      try {
        lease = await raceSignal(attempt, signal, 'campaign');
      } catch (error) {
        if (signal.aborted) {
          attempt.then((late) => late && releaseLate(ctx, who, election, late.term)).catch(() => undefined); // expires on its own
          throw endedError(options?.signal, who, election);
        }
        if (!(error instanceof StoreUnavailableError)) throw error;
        lease = null; // unreachable now: keep campaigning until the session itself is lost
      }
      if (lease !== null) {
        // Read `lost` again (its getter checks the session's deadline now): a pause between
        // sending the take and reading its answer may have outlasted it.
        if (who.lost.aborted || signal.aborted) {
          void releaseLate(ctx, who, election, lease.term).catch(() => undefined); // nobody acted for it
          throw endedError(options?.signal, who, election);
        }
        if (!pastDeadline(ctx, who, lease)) return lease;
        // The same pause may have outlasted this acquisition's own deadline: never hand out a
        // term that is already over. Nobody acted for it, so giving it up at once is safe;
        // then campaign again (usually taking it back at once, with a fresh deadline).
        await raceSignal(releaseLate(ctx, who, election, lease.term), signal, 'campaign').catch(() => undefined); // else it expires on its own
        continue;
      }
      try {
        await ctx.feed.wait(who.timing.pollIntervalMs, signal, generation);
      } catch {
        throw endedError(options?.signal, who, election);
      }
    }
  } finally {
    dispose();
  }
}

/** Whether the local deadline of a term just acquired (acquisition start + renewDeadlineMs) has passed. */
function pastDeadline(ctx: SqlContext, who: Campaigner, lease: AcquiredLease): boolean {
  return ctx.clock.now() >= lease.startedAt + who.timing.renewDeadlineMs;
}

function endedError(callerSignal: AbortSignal | undefined, who: Campaigner, election: string): Error {
  if (callerSignal?.aborted) return new AbortedError(`campaign for "${election}"`, callerSignal.reason);
  if (who.state === 'closed') return new ClosedError('session');
  return new SessionLostError(`session lost while campaigning for "${election}"`, { cause: who.lost.reason });
}

async function releaseLate(ctx: SqlContext, who: Campaigner, election: string, term: number): Promise<void> {
  // Not durable: lost in a server crash, the lease expires on its own (nobody acted for it).
  await ctx.connection.runAndAnnounce(ctx.sql.leaseRelease, [ctx.cluster, election, who.id, term], ctx.cluster, { durable: false });
}
