import type { CallOptions } from '../../contract/contract.js';
import type { SessionTiming } from '../../contract/timing.js';
import { AbortedError, ClosedError, SessionLostError, StoreUnavailableError } from '../../errors.js';
import type { AcquiredLease, LeaseHolder } from './sql-leadership.js';
import type { SqlContext } from './sql-context.js';
import type { SqlRow } from './dialect.js';
import { anySignal, raceSignal } from '../../async.js';
import { releaseLease } from './lease-release.js';
import { leasePollKey } from './shared-polls.js';
import { nextBatchWaitMs } from './next-batch.js';
import { WaiterPlace, type Waiter } from './waiters.js';

/** Who campaigns, and with what. */
export interface Campaigner extends LeaseHolder, Waiter {
  readonly state: string;
}

/**
 * What one attempt found: the lease it acquired, or none, with when the live holder's session
 * expires in ms on the DB clock as last read (undefined when not read, or not held by a live
 * session any more: the store was unreachable, a race was lost).
 */
export type Attempt = { readonly lease: AcquiredLease; readonly holderExpiresInMs?: undefined } | { readonly lease: null; readonly holderExpiresInMs?: number | undefined };

const NOT_ACQUIRED: Attempt = Object.freeze({ lease: null });

/**
 * Campaign statements one backend (one node) runs at once; the others wait for a permit. A
 * permit is held by one statement, whether it takes one election or many (take-batcher.ts);
 * a statement releasing many (release-batcher.ts) holds one too, so that a node leaving with
 * thousands of items does not queue them all in the pool ahead of its renewal. A node's
 * statements share a pool of 4 connections (PostgreSQL, MariaDB) with its session's renewal,
 * its fenced KV writes and its watches. Thousands of campaigns (a cold start of 10,000 items)
 * otherwise queue every other statement behind them in the pool: measured on PostgreSQL, 10
 * nodes x 1,000 buckets on 2 busy cores with 64 campaigns per node, renewals waited past the 10 s renew deadline and every
 * session was lost. Three attempts leave one connection free for everything else, so a
 * renewal waits behind at most one statement; more would not take items faster, since
 * attempts beyond the pool's size only queue in it.
 */
export const CAMPAIGN_ATTEMPTS_AT_ONCE = 3;

/**
 * One attempt to acquire `election`:
 *  1. take the row if it is free (statements.ts leaseFree: released, this session's own, or
 *     its holder's member row gone), at term + 1; with `takeFirst` false, skip to step 2 (a
 *     waiter woken by its timer, not by a change, looks first: one statement while the
 *     holder lives). Where the dialect takes many elections in one statement (PostgreSQL,
 *     SQLite), the take waits for the backend's next such statement (take-batcher.ts), which
 *     carries every take ready at the same time: a cold start of a thousand campaigns is a
 *     few statements, not a thousand;
 *  2. if nothing matched, look at who holds it: no row at all means the first election ever,
 *     so insert it at term 1 (a concurrent insert of the same row makes this one fail on the
 *     primary key: not acquired); a holder whose member row expired on the DB clock has its
 *     row deleted (memberReap), then the take is tried; so is a row found free; a live holder
 *     ends the attempt with its session's expiry;
 *  3. learn the new term, and announce the new leader.
 * Each step is one autocommitted statement, so no lock of the lease row is held across a round
 * trip (docs/safety.md rule 7: a campaigner frozen between two steps blocks nobody). Only the take
 * decides, on the DB clock; when to send it decides nothing. With RETURNING (PostgreSQL,
 * SQLite) a free or missing row takes one round trip and a waiting campaign one per look; MySQL learns
 * the term with one more read of the row by holder (only this session can change a row it
 * holds while its session lives).
 * An attempt holds one of the backend's CAMPAIGN_ATTEMPTS_AT_ONCE permits while it runs its
 * own statements (a batched take holds one per statement, for all of its elections); one
 * whose `signal` aborts while it waits for a permit or for its batched take to be sent
 * acquires nothing.
 */
export async function tryAcquire(ctx: SqlContext, who: Campaigner, election: string, infoText: string, takeFirst = true, signal?: AbortSignal, lookWaitMs = 0): Promise<Attempt> {
  const { connection, takes } = ctx;
  const batched = takeFirst && takes !== undefined;
  if (batched) {
    const outcome = await takes.take(election, who.id, who.nodeId, infoText, signal);
    if (outcome === 'dropped') return NOT_ACQUIRED;
    if (outcome !== 'held') return { lease: outcome };
  }
  // A look that waits for the polls' next round trip holds no permit while it waits.
  const looked = !takeFirst && lookWaitMs > 0 ? await readHolder(ctx, who, election, lookWaitMs) : undefined;
  if (looked?.state === 'live') return { lease: null, holderExpiresInMs: looked.expiresInMs };
  const release = await ctx.campaignPermits.acquire(signal ?? ctx.closed);
  if (release === null) return NOT_ACQUIRED;
  try {
    if (takeFirst && !batched) {
      const acquired = await take(ctx, who, election, infoText);
      if (acquired !== undefined) return { lease: acquired };
    }
    const holder = looked ?? (await readHolder(ctx, who, election));
    if (holder.state === 'live') return { lease: null, holderExpiresInMs: holder.expiresInMs };
    const lease = holder.state === 'none' ? await insert(ctx, who, election, infoText) : await take(ctx, who, election, infoText);
    return lease ? { lease } : NOT_ACQUIRED;
  } catch (error) {
    if (connection.dialect.isUniqueViolation(error)) return NOT_ACQUIRED;
    throw error;
  } finally {
    release();
  }
}

function acquiredTerm(row: SqlRow | undefined): AcquiredLease | null {
  return row === undefined ? null : { term: Number(row['term']) };
}

/**
 * Step 1: the take; undefined when it matched nothing. With RETURNING (PostgreSQL, SQLite) the
 * take also inserts a missing row, in the same statement (leaseTakeOrInsertReturning).
 */
async function take(ctx: SqlContext, who: Campaigner, election: string, infoText: string): Promise<AcquiredLease | undefined> {
  const { connection, sql, cluster } = ctx;
  if (connection.dialect.returning) {
    const took = await connection.runAndAnnounce(sql.leaseTakeOrInsertReturning, [cluster, election, who.id, who.nodeId, infoText], cluster, { topic: election });
    return acquiredTerm(took.rows[0]) ?? undefined;
  }
  const params = [who.id, who.nodeId, infoText, cluster, election, who.id];
  const took = await connection.runAndAnnounce(sql.leaseTake, params, cluster, { topic: election });
  return took.changes === 0 ? undefined : ((await readMine(ctx, who, election)) ?? undefined);
}

type HolderState = { readonly state: 'none' | 'free' | 'expired' } | { readonly state: 'live'; readonly expiresInMs: number };

/**
 * Step 2: whether the row is missing, free (released, its holder's member row gone, or held
 * by this very session: handed to it while it waited, its announcement missed, see
 * waiters.ts), held by a live session (and until when, on the DB clock), or held by one whose
 * member row expired; in the last case that member row is deleted (only if it is still
 * expired: a renewal that got there first wins). The read may wait up to `batchWaitMs` for the
 * polls' next round trip (next-batch.ts).
 */
async function readHolder(ctx: SqlContext, who: Campaigner, election: string, batchWaitMs = 0): Promise<HolderState> {
  const { connection, sql, cluster } = ctx;
  const row = (await connection.runWithNextBatch(sql.leaseHolderState, [cluster, election], batchWaitMs)).rows[0];
  if (row === undefined) return { state: 'none' };
  // A row taken before schema version 3 also expires by its own expires_at (the take then matches).
  if (row['holder'] === null || row['holder'] === who.id || row['session_expires_in_ms'] === null || Number(row['lease_expires_in_ms']) <= 0) return { state: 'free' };
  if (Number(row['holder_expired']) !== 1) {
    return { state: 'live', expiresInMs: Math.min(Number(row['session_expires_in_ms']), Number(row['lease_expires_in_ms'])) };
  }
  await connection.run(sql.memberReap, [cluster, String(row['holder'])]);
  return { state: 'expired' };
}

async function insert(ctx: SqlContext, who: Campaigner, election: string, infoText: string): Promise<AcquiredLease | null> {
  const { connection, sql, cluster } = ctx;
  const params = [cluster, election, who.id, who.nodeId, infoText];
  if (connection.dialect.returning) return acquiredTerm((await connection.runAndAnnounce(sql.leaseInsertReturning, params, cluster, { topic: election })).rows[0]);
  await connection.runAndAnnounce(sql.leaseInsert, params, cluster, { topic: election });
  return readMine(ctx, who, election);
}

async function readMine(ctx: SqlContext, who: Campaigner, election: string): Promise<AcquiredLease | null> {
  const { rows } = await ctx.connection.run(ctx.sql.leaseMine, [ctx.cluster, election, who.id]);
  return acquiredTerm(rows[0]);
}

/**
 * How long a campaign that did not acquire sleeps before it looks again, on the local
 * monotonic clock (an announcement ends the sleep early in every case):
 *  - the engine announces changes (PostgreSQL, its LISTEN connection up), or a leader watch of
 *    the same backend polls this election's row (shared-polls.ts: a non-leader node watches
 *    the cluster election it campaigns for; a change its poll sees wakes this waiter as an
 *    announcement would, within one poll period), and the live
 *    holder's expiry was read: a release, a take and a session's graceful close each NOTIFY
 *    and wake the waiter at once, but an expiry sends nothing, so sleep until the holder's
 *    session expires as read on the DB clock, and at most one `retryPeriodMs`. That cap is the
 *    safety re-check for a NOTIFY that never arrives (a LISTEN connection that died without
 *    the client noticing yet): a release it missed is taken at most one retry period late, a
 *    wait no longer than the holder's own renewal period, so far inside the TTL. The expiry is
 *    measured from the answer's arrival, after the DB read its clock, so with equal clock
 *    rates the waiter wakes just after it; a faster local clock wakes it early and costs one
 *    more look (the take alone decides, on the DB clock), a slower one is bounded by the cap.
 *    At rest a waiter then sends one statement (the look) per retry period, where polling sent
 *    two per `pollIntervalMs`; on MySQL that look waits for the polls' next round trip and goes
 *    in it (acquireOrWait, next-batch.ts), still at most one retry period after the last.
 *    Beside a leader watch the cap also bounds what the watch's
 *    poll cannot see: a change between this look and the poll's first reading, when that
 *    reading came just after the look (SharedPolls.polls), or a watch that ends while the
 *    waiter sleeps;
 *  - otherwise (MySQL, SQLite, LISTEN down, with no leader watch of the election; the store
 *    unreachable, a race lost between take and look, an expiry already due): poll every
 *    `pollIntervalMs`.
 * Which statement comes first after the sleep is acquireOrWait's choice.
 */
function nextLookInMs(ctx: SqlContext, timing: SessionTiming, election: string, attempt: Attempt): number {
  const expiresInMs = attempt.holderExpiresInMs;
  if (expiresInMs === undefined || expiresInMs <= 0) return timing.pollIntervalMs;
  if (!ctx.feed.announcing && !ctx.polls.polls(leasePollKey(election))) return timing.pollIntervalMs;
  return Math.min(expiresInMs, timing.retryPeriodMs);
}

/**
 * Waits until `who` holds `election`:
 *  1. try to acquire at once (the first election on an empty store is immediate);
 *  2. held by someone else, or the store unreachable: sleep (nextLookInMs), woken at once
 *     when the engine announces a change (PostgreSQL NOTIFY) or a leader watch's poll sees
 *     one (shared-polls.ts), then try again: a take first
 *     after an announcement of a take or release, or when the last attempt read no live
 *     holder (the store unreachable, a race lost); a look first while the holder read last
 *     was live (one statement a look until it is not) or after a handover to another session;
 *  2a. where the engine hands over (dialect.ts handsOver), held by a live session: join the
 *     queue of waiters (waiters.ts); a release that hands this campaign the lease says so in
 *     its announcement, and the campaign ends with that term, sending nothing;
 *  3. the wait ends with an error when `options.signal` aborts or the session is lost; an
 *     acquisition that lands after that is released at once (nobody acted for it; if that
 *     release fails too, the session's reconciliation releases it, see session-leases.ts).
 * A term lives as long as its session, so an answer read late (a pause) still holds a live
 * term as long as the session's deadline has not passed; past it, the session is lost, its
 * rows are left to expire with it, and campaign never resolves with a term already over.
 */
export async function campaignLoop(ctx: SqlContext, who: Campaigner, election: string, infoText: string, options?: CallOptions): Promise<AcquiredLease> {
  const signal = anySignal(options?.signal, who.lost, ctx.closed);
  // Woken by this election's takes and releases and by the cluster's member changes only.
  const unfollow = ctx.feed.follow(election);
  try {
    return await campaignUntilAcquired(ctx, who, election, infoText, signal, options);
  } finally {
    signal.dispose(); // the session's `lost` and the backend's `closed` keep nothing of it
    unfollow();
  }
}

async function campaignUntilAcquired(ctx: SqlContext, who: Campaigner, election: string, infoText: string, signal: AbortSignal, options?: CallOptions): Promise<AcquiredLease> {
  const place = ctx.connection.dialect.handsOver ? new WaiterPlace(ctx, who, election, infoText) : undefined;
  let acquired = false;
  try {
    const lease = await acquireOrWait(ctx, who, election, infoText, signal, place, options);
    acquired = true;
    return lease;
  } finally {
    // An ended campaign settles only once it has left the queue (waiters.ts leave).
    await place?.leave(acquired);
  }
}

/**
 * The campaign's loop: an attempt, then a wait for the next look (see campaignUntilAcquired's
 * caller). With a place in the queue of waiters, it joins once an attempt found a live holder,
 * and a term handed to it (its announcement arrived) ends the campaign without a statement.
 */
async function acquireOrWait(ctx: SqlContext, who: Campaigner, election: string, infoText: string, signal: AbortSignal, place: WaiterPlace | undefined, options?: CallOptions): Promise<AcquiredLease> {
  let takeFirst = true;
  let lookWaitMs = 0;
  for (;;) {
    const handed = place?.handedTerm();
    if (handed !== undefined) return heldOrReleased(ctx, who, election, { term: handed }, signal, options);
    const mark = ctx.feed.mark(election);
    const pending = tryAcquire(ctx, who, election, infoText, takeFirst, signal, lookWaitMs);
    let attempt: Attempt;
    try {
      attempt = await raceSignal(pending, signal, 'campaign');
    } catch (error) {
      if (signal.aborted) {
        pending.then((late) => late.lease && releaseLate(ctx, who, election, late.lease.term)).catch(() => undefined); // else reconciled (session-leases.ts)
        throw endedError(options?.signal, who, election);
      }
      if (!(error instanceof StoreUnavailableError)) throw error;
      attempt = NOT_ACQUIRED; // unreachable now: keep campaigning until the session itself is lost
    }
    if (attempt.lease !== null) return heldOrReleased(ctx, who, election, attempt.lease, signal, options);
    try {
      if (place !== undefined && attempt.holderExpiresInMs !== undefined) await raceSignal(place.join(signal), signal, 'campaign');
      const lookInMs = nextLookInMs(ctx, who.timing, election, attempt);
      // The capped look (the holder lives past it) rides the polls' next round trip: it sleeps
      // that much less and then waits for it (next-batch.ts); a look at the holder's expiry does not wait.
      const capped = lookInMs === who.timing.retryPeriodMs && (attempt.holderExpiresInMs ?? 0) > lookInMs;
      const rideMs = capped ? nextBatchWaitMs(ctx, lookInMs) : 0;
      const announced = await ctx.feed.wait(lookInMs - rideMs, signal, mark);
      // The holder was live at the last look and no take or release was announced since: look
      // first, one statement while it lives (a row found free is taken next, one round trip
      // later). A handover to another session leaves nothing to take either: look first, for
      // the new holder's expiry. One to this campaign is read at the top of the loop, before
      // any statement.
      takeFirst = (announced && !ctx.feed.onlyHandoversSince(mark)) || attempt.holderExpiresInMs === undefined;
      lookWaitMs = announced ? 0 : rideMs;
    } catch {
      throw endedError(options?.signal, who, election);
    }
  }
}

/**
 * A term just acquired (taken, or handed over) is the campaign's only if the session's
 * deadline has not passed: read `lost` again (its getter checks the deadline now), since a
 * pause between sending the take and reading its answer, or between the handover and its
 * announcement, may have outlasted it. Otherwise it is released at once (nobody acted for it).
 */
function heldOrReleased(ctx: SqlContext, who: Campaigner, election: string, lease: AcquiredLease, signal: AbortSignal, options?: CallOptions): AcquiredLease {
  if (!who.lost.aborted && !signal.aborted) return lease;
  void releaseLate(ctx, who, election, lease.term).catch(() => undefined); // nobody acted for it
  throw endedError(options?.signal, who, election);
}

function endedError(callerSignal: AbortSignal | undefined, who: Campaigner, election: string): Error {
  if (callerSignal?.aborted) return new AbortedError(`campaign for "${election}"`, callerSignal.reason);
  if (who.state === 'closed') return new ClosedError('session');
  return new SessionLostError(`session lost while campaigning for "${election}"`, { cause: who.lost.reason });
}

async function releaseLate(ctx: SqlContext, who: Campaigner, election: string, term: number): Promise<void> {
  // Lost in a server crash, the session's reconciliation releases it again, or it frees with
  // the session (nobody acted for it).
  await releaseLease(ctx, election, who.id, term);
}
