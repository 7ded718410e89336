import type { CallOptions } from '../../contract/contract.js';
import { AbortedError, ClosedError, SessionLostError, StoreUnavailableError } from '../../errors.js';
import type { AcquiredLease, LeaseHolder } from './sql-leadership.js';
import type { SqlContext } from './sql-context.js';
import type { SqlRow } from './dialect.js';
import { anySignal, raceSignal } from '../../async.js';

/** Who campaigns, and with what. */
export interface Campaigner extends LeaseHolder {
  readonly nodeId: string;
  readonly state: string;
}

/**
 * One attempt to acquire `election`. Resolves null when someone else holds a live lease.
 *  1. take the row if it is free (statements.ts leaseFree: released, this session's own, or
 *     its holder's member row gone), at term + 1;
 *  2. if nothing matched, read who holds it: no row at all means the first election ever, so
 *     insert it at term 1 (a concurrent insert of the same row makes this one fail on the
 *     primary key: not acquired); a holder whose member row expired on the DB clock has its
 *     row deleted (memberReap), then the take is tried once more;
 *  3. learn the new term, and announce the new leader.
 * Each step is one autocommitted statement, so no lock of the lease row is held across a round
 * trip (safety model 7: a campaigner frozen between two steps blocks nobody). With RETURNING
 * (PostgreSQL, SQLite) a free row takes one round trip and a waiting campaign two per poll;
 * MySQL learns the term with one more read of the row by holder (only this session can change
 * a row it holds while its session lives).
 */
export async function tryAcquire(ctx: SqlContext, who: Campaigner, election: string, infoText: string): Promise<AcquiredLease | null> {
  const { connection } = ctx;
  try {
    const acquired = await take(ctx, who, election, infoText);
    if (acquired !== undefined) return acquired;
    const holder = await readHolder(ctx, election);
    if (holder === 'none') return await insert(ctx, who, election, infoText);
    if (holder !== 'expired') return null;
    return (await take(ctx, who, election, infoText)) ?? null;
  } catch (error) {
    if (connection.dialect.isUniqueViolation(error)) return null;
    throw error;
  }
}

function acquiredTerm(row: SqlRow | undefined): AcquiredLease | null {
  return row === undefined ? null : { term: Number(row['term']) };
}

/** Step 1: the take; undefined when it matched nothing. */
async function take(ctx: SqlContext, who: Campaigner, election: string, infoText: string): Promise<AcquiredLease | undefined> {
  const { connection, sql, cluster } = ctx;
  const params = [who.id, who.nodeId, infoText, cluster, election, who.id];
  if (connection.dialect.returning) {
    const took = await connection.runAndAnnounce(sql.leaseTakeReturning, params, cluster);
    return acquiredTerm(took.rows[0]) ?? undefined;
  }
  const took = await connection.runAndAnnounce(sql.leaseTake, params, cluster);
  return took.changes === 0 ? undefined : ((await readMine(ctx, who, election)) ?? undefined);
}

/**
 * Step 2: whether the row is missing, held by a live session, or held by one whose member row
 * expired; in the last case that member row is deleted (only if it is still expired: a renewal
 * that got there first wins).
 */
async function readHolder(ctx: SqlContext, election: string): Promise<'none' | 'live' | 'expired'> {
  const { connection, sql, cluster } = ctx;
  const row = (await connection.run(sql.leaseHolderState, [cluster, election])).rows[0];
  if (row === undefined) return 'none';
  if (Number(row['holder_expired']) !== 1) return 'live';
  await connection.run(sql.memberReap, [cluster, String(row['holder'])]);
  return 'expired';
}

async function insert(ctx: SqlContext, who: Campaigner, election: string, infoText: string): Promise<AcquiredLease | null> {
  const { connection, sql, cluster } = ctx;
  const params = [cluster, election, who.id, who.nodeId, infoText];
  if (connection.dialect.returning) return acquiredTerm((await connection.runAndAnnounce(sql.leaseInsertReturning, params, cluster)).rows[0]);
  await connection.runAndAnnounce(sql.leaseInsert, params, cluster);
  return readMine(ctx, who, election);
}

async function readMine(ctx: SqlContext, who: Campaigner, election: string): Promise<AcquiredLease | null> {
  const { rows } = await ctx.connection.run(ctx.sql.leaseMine, [ctx.cluster, election, who.id]);
  return acquiredTerm(rows[0]);
}

/**
 * Waits until `who` holds `election`:
 *  1. try to acquire at once (the first election on an empty store is immediate);
 *  2. held by someone else, or the store unreachable: wait pollIntervalMs, or less when the
 *     engine announces a change (PostgreSQL NOTIFY), then try again;
 *  3. the wait ends with an error when `options.signal` aborts or the session is lost; an
 *     acquisition that lands after that is released at once (nobody acted for it; if that
 *     release fails too, the session's reconciliation releases it, see session-leases.ts).
 * A term lives as long as its session, so an answer read late (a pause) still holds a live
 * term as long as the session's deadline has not passed; past it, the session is lost, its
 * rows are left to expire with it, and campaign never resolves with a term already over.
 */
export async function campaignLoop(ctx: SqlContext, who: Campaigner, election: string, infoText: string, options?: CallOptions): Promise<AcquiredLease> {
  const signal = anySignal(options?.signal, who.lost, ctx.closed);
  for (;;) {
    const generation = ctx.feed.generation;
    const attempt = tryAcquire(ctx, who, election, infoText);
    let lease: AcquiredLease | null;
    try {
      lease = await raceSignal(attempt, signal, 'campaign');
    } catch (error) {
      if (signal.aborted) {
        attempt.then((late) => late && releaseLate(ctx, who, election, late.term)).catch(() => undefined); // else reconciled (session-leases.ts)
        throw endedError(options?.signal, who, election);
      }
      if (!(error instanceof StoreUnavailableError)) throw error;
      lease = null; // unreachable now: keep campaigning until the session itself is lost
    }
    if (lease !== null) {
      // Read `lost` again (its getter checks the session's deadline now): a pause between
      // sending the take and reading its answer may have outlasted it.
      if (!who.lost.aborted && !signal.aborted) return lease;
      void releaseLate(ctx, who, election, lease.term).catch(() => undefined); // nobody acted for it
      throw endedError(options?.signal, who, election);
    }
    try {
      await ctx.feed.wait(who.timing.pollIntervalMs, signal, generation);
    } catch {
      throw endedError(options?.signal, who, election);
    }
  }
}

function endedError(callerSignal: AbortSignal | undefined, who: Campaigner, election: string): Error {
  if (callerSignal?.aborted) return new AbortedError(`campaign for "${election}"`, callerSignal.reason);
  if (who.state === 'closed') return new ClosedError('session');
  return new SessionLostError(`session lost while campaigning for "${election}"`, { cause: who.lost.reason });
}

async function releaseLate(ctx: SqlContext, who: Campaigner, election: string, term: number): Promise<void> {
  // Not durable: lost in a server crash, the session's reconciliation releases it again, or it
  // frees with the session (nobody acted for it).
  await ctx.connection.runAndAnnounce(ctx.sql.leaseRelease, [ctx.cluster, election, who.id, term], ctx.cluster, { durable: false });
}
