import type { CallOptions, Fence, Leadership } from '../../contract/contract.js';
import type { SessionTiming } from '../../contract/timing.js';
import { BatonError, ClosedError, leadershipEnded, type LeadershipEndReason } from '../../errors.js';
import type { SqlContext } from './sql-context.js';
import { raceSignal } from '../../async.js';
import { judgedController } from '../../judged-signal.js';
import { releaseLease } from './lease-release.js';

/** A lease row just acquired. */
export interface AcquiredLease {
  readonly term: number;
}

/** The session side a leadership needs. */
export interface LeaseHolder {
  readonly id: string;
  readonly timing: SessionTiming;
  /** Fires when the session is lost or closed; the getter checks the session's deadline. */
  readonly lost: AbortSignal;
  /** The session's local deadline on the monotonic clock; only ever moves later. */
  readonly deadlineAt: number;
}

/**
 * Whether a term that ends for `reason` gives its row up at once. Only a graceful handoff does
 * (resigned while still held, or the session closed), after the signal's listeners ran. A term
 * that ended with its session's loss leaves the row to its session: it is free once the member
 * row expired on the database clock (docs/safety.md rule 5). Its holder stopped at the session's
 * deadline, and the margin ttlMs - renewDeadlineMs until that expiry is what lets its stop
 * callbacks (a bucket's or the elector's `released`, ...) finish before any successor can
 * start. A term taken over is no longer this session's row to release.
 *
 * Every other end while the session lives MUST release: the lease lives as long as the session,
 * so an unreleased row of a live session would be held forever. The session's reconciliation
 * (session-leases.ts) releases any row of its own that no live term holds, so a release that
 * failed is done again one retry period later.
 */
function releasesAtOnce(reason: LeadershipEndReason): boolean {
  return reason === 'resigned' || reason === 'closed';
}

/**
 * One held term of one election. The lease row lives as long as the session's member row, so
 * the term is never renewed on its own: its local deadline is the session's (one renewal per
 * session per retry period keeps every term alive). Its signal aborts when the term ends for
 * any reason, BEFORE the row is released (gracefully) or left to its session, so the holder has
 * stopped acting by the time a successor can start. The session's reconciliation ends it as
 * `taken-over` when the store no longer names it.
 */
export class SqlLeadership implements Leadership {
  readonly election: string;
  readonly term: number;
  readonly fence: Fence;
  readonly #ctx: SqlContext;
  readonly #holder: LeaseHolder;
  /** The session's `lost`, kept so that listening to it does not check its deadline again. */
  readonly #sessionLost: AbortSignal;
  /** Judges the deadlines whenever `aborted` is read, also on a signal kept from earlier (judged-signal.ts). */
  readonly #controller = judgedController(() => this.#judgeDeadlines());
  readonly #onEnd: () => void;
  /** Set with the signal's abort; a plain field so that held() stays cheap. */
  #ended = false;
  /**
   * The session's local deadline when last looked up, on the monotonic clock. It only ever
   * moves later, so a moment before it is before it: held() answers from it with one clock
   * read, and looks the deadline up again only past it.
   */
  #heldUntil = -Infinity;
  #released: Promise<void> | undefined;

  constructor(ctx: SqlContext, holder: LeaseHolder, election: string, lease: AcquiredLease, onEnd: () => void) {
    this.#ctx = ctx;
    this.#holder = holder;
    this.#sessionLost = holder.lost;
    this.election = election;
    this.term = lease.term;
    this.#onEnd = onEnd;
    this.fence = Object.freeze({ election, term: lease.term, sessionId: holder.id });
  }

  /** Checks the session's deadline first (see held()), so `signal.aborted` read at once is current. */
  get signal(): AbortSignal {
    this.#judgeDeadlines();
    return this.#controller.signal;
  }

  #judgeDeadlines(): void {
    if (!this.#ended && this.#ctx.clock.now() >= this.#heldUntil) this.#checkDeadline();
  }

  held(): boolean {
    if (this.#ended) return false;
    if (this.#ctx.clock.now() < this.#heldUntil) return true;
    this.#checkDeadline();
    return !this.#ended;
  }

  /**
   * Follows the session (no I/O in the constructor). The session ends its terms when it is lost
   * (endWithSession, from its one listener on `lost`): no listener per term, as adding one to an
   * AbortSignal walks every listener already there (33,333 terms cost 11.5 s of CPU that way).
   */
  start(): void {
    if (this.#holder.lost.aborted) {
      this.endWithSession();
      return;
    }
    this.#heldUntil = this.#holder.deadlineAt;
  }

  /**
   * A graceful handoff while the term is still held: released at once. A term whose session's
   * deadline has passed (even if its timer has not run yet) ends with the session first, and
   * resigning it then releases nothing (see releasesAtOnce).
   */
  resign(options?: CallOptions): Promise<void> {
    this.#checkDeadline();
    return raceSignal(this.end('resigned'), options?.signal, 'resign');
  }

  /** The store no longer names this term (the session's reconciliation read it): it ends now. */
  takenOver(): void {
    const what = `lease of election "${this.election}" term ${this.term}`;
    void this.end('taken-over', new BatonError('NOT_LEADER', `${what} was changed or taken in the store; stop acting for it`));
  }

  /**
   * Ends the term (idempotent; every call shares the first one's outcome, so a resign after
   * the session was lost releases nothing):
   *  1. abort the signal with a LeadershipEndedError saying `reason` (and carrying `cause`):
   *     the holder stops acting now, its listeners run;
   *  2. a graceful end (resigned, closed) then releases the row (only if it is still mine,
   *     same term), announcing it, so that a successor takes over in one round trip instead of
   *     one TTL; any other end leaves it (see releasesAtOnce).
   */
  end(reason: LeadershipEndReason, cause?: unknown): Promise<void> {
    if (this.#released === undefined) {
      this.#ended = true;
      this.#controller.abort(leadershipEnded(this.election, this.term, reason, { cause }));
      this.#onEnd();
      this.#released = releasesAtOnce(reason) ? this.#release() : Promise.resolve();
    }
    return this.#released;
  }

  /** The session was lost or closed: the term ends with it (the session calls this for each of its terms). */
  endWithSession(): void {
    void this.end(this.#sessionEndReason(), this.#sessionLost.reason).catch(() => undefined); // closed: else the session's reconciliation, or its end, frees it
  }

  /**
   * Ends the term right now if the session's local deadline has passed, even when its timer has
   * not run yet: after a pause (SIGSTOP, VM freeze, long GC) synchronous code runs before any
   * timer, and must not be told "held" past the deadline (docs/safety.md rule 4). Reading `lost`
   * checks the session's deadline; a lost session ends this term through its listener,
   * synchronously. Every other end (resign, taken over, close) sets #ended first.
   */
  #checkDeadline(): void {
    if (this.#ended) return;
    if (this.#holder.lost.aborted) this.endWithSession(); // (the session's listener already did, once started)
    if (!this.#ended) this.#heldUntil = this.#holder.deadlineAt;
  }

  /** Why a term ends with its session: the session was closed, or it was lost. */
  #sessionEndReason(): LeadershipEndReason {
    return this.#sessionLost.reason instanceof ClosedError ? 'closed' : 'session-lost';
  }

  /** Gives the row up, or hands it to the longest-waiting live waiter (lease-release.ts); the holder has stopped either way. */
  async #release(): Promise<void> {
    await releaseLease(this.#ctx, this.election, this.#holder.id, this.term);
  }
}
