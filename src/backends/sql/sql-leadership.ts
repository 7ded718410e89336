import type { CallOptions, Fence, Leadership } from '../../backend/contract.js';
import type { SessionTiming } from '../../backend/timing.js';
import { BatonError, ClosedError, LeadershipEndedError, type LeadershipEndReason } from '../../errors.js';
import { RenewalLoop } from './renewal-loop.js';
import type { SqlContext } from './sql-context.js';
import { raceSignal } from './signals.js';

/** A lease row just acquired. */
export interface AcquiredLease {
  readonly term: number;
  /** When the acquiring statement was sent, on the local monotonic clock. */
  readonly startedAt: number;
}

/** The session side a leadership needs. */
export interface LeaseHolder {
  readonly id: string;
  readonly timing: SessionTiming;
  readonly lost: AbortSignal;
  /** The session's local deadline on the monotonic clock; only ever moves later. */
  readonly deadlineAt: number;
  readonly onRenewal?: ((latencyMs: number, ok: boolean) => void) | undefined;
}

/**
 * Whether a term that ends for `reason` gives its row up at once. Only a graceful handoff does
 * (resigned while still held, or the session closed), after the signal's listeners ran. A term
 * that ended by its renew deadline, by its session's loss or by being taken over leaves the row
 * to expire on the database clock (safety model 3): its holder stopped at the deadline, and
 * the margin ttlMs - renewDeadlineMs until expiry is what lets its stop callbacks (a bucket's
 * `released`, `onStoppedLeading`, ...) finish before any successor can start. Releasing then
 * would hand the role over while they still run.
 */
function releasesAtOnce(reason: LeadershipEndReason): boolean {
  return reason === 'resigned' || reason === 'closed';
}

/**
 * One held term of one election. Renews every retryPeriodMs, by holder and term; its signal
 * aborts when the term ends for any reason, BEFORE the row is released (gracefully) or left to
 * expire, so the holder has stopped acting by the time a successor can start.
 */
export class SqlLeadership implements Leadership {
  readonly election: string;
  readonly term: number;
  readonly fence: Fence;
  readonly #ctx: SqlContext;
  readonly #holder: LeaseHolder;
  /** The session's `lost`, kept so that listening to it does not check its deadline again. */
  readonly #sessionLost: AbortSignal;
  readonly #controller = new AbortController();
  readonly #loop: RenewalLoop;
  readonly #onEnd: () => void;
  readonly #startedAt: number;
  /** Set with the signal's abort; a plain field so that held() stays cheap. */
  #ended = false;
  /**
   * The earlier of the session's and this term's local deadlines when last looked up, on the
   * monotonic clock. Both only ever move later, so a moment before it is before both: held()
   * answers from it with one clock read, and looks the deadlines up again only past it.
   */
  #heldUntil = -Infinity;
  #released: Promise<void> | undefined;

  constructor(ctx: SqlContext, holder: LeaseHolder, election: string, lease: AcquiredLease, onEnd: () => void) {
    this.#ctx = ctx;
    this.#holder = holder;
    this.#sessionLost = holder.lost;
    this.election = election;
    this.term = lease.term;
    this.#startedAt = lease.startedAt;
    this.#onEnd = onEnd;
    this.fence = Object.freeze({ election, term: lease.term, sessionId: holder.id });
    const what = `lease of election "${election}" term ${lease.term}`;
    this.#loop = new RenewalLoop({
      clock: ctx.clock,
      timing: holder.timing,
      what,
      renew: () => this.#renew(),
      gone: () => new BatonError('NOT_LEADER', `${what} was changed or taken in the store; stop acting for it`),
      // Changed in the store: someone took it over; not renewed in time: our own deadline.
      onLost: (reason, how) => void this.end(how === 'gone' ? 'taken-over' : 'renew-deadline', reason).catch(() => undefined),
      onAttempt: holder.onRenewal,
    });
  }

  /** Checks the deadlines first (see held()), so `signal.aborted` read at once is current. */
  get signal(): AbortSignal {
    if (!this.#ended && this.#ctx.clock.now() >= this.#heldUntil) this.#checkDeadlines();
    return this.#controller.signal;
  }

  held(): boolean {
    if (this.#ended) return false;
    if (this.#ctx.clock.now() < this.#heldUntil) return true;
    this.#checkDeadlines();
    return !this.#ended;
  }

  /** Starts renewing and follows the session (no I/O in the constructor). */
  start(): void {
    if (this.#holder.lost.aborted) {
      this.#onSessionLost();
      return;
    }
    this.#sessionLost.addEventListener('abort', this.#onSessionLost, { once: true });
    this.#loop.start(this.#startedAt);
  }

  /**
   * A graceful handoff while the term is still held: released at once. A term whose deadline
   * has passed (even if its timer has not run yet) ends by that deadline first, and resigning
   * it then releases nothing (see releasesAtOnce).
   */
  resign(options?: CallOptions): Promise<void> {
    this.#checkDeadlines();
    return raceSignal(this.end('resigned'), options?.signal, 'resign');
  }

  /**
   * Ends the term (idempotent; every call shares the first one's outcome, so a resign after
   * the deadline releases nothing):
   *  1. stop renewing and abort the signal with a LeadershipEndedError saying `reason` (and
   *     carrying `cause`): the holder stops acting now, its listeners run;
   *  2. a graceful end (resigned, closed) then releases the row (only if it is still mine,
   *     same term), announcing it, so that a successor takes over in one round trip instead of
   *     one TTL; any other end leaves it to expire (see releasesAtOnce).
   */
  end(reason: LeadershipEndReason, cause?: unknown): Promise<void> {
    if (this.#released === undefined) {
      this.#ended = true;
      this.#loop.stop();
      this.#sessionLost.removeEventListener('abort', this.#onSessionLost);
      this.#controller.abort(new LeadershipEndedError(this.election, this.term, reason, { cause }));
      this.#onEnd();
      this.#released = releasesAtOnce(reason) ? this.#release() : Promise.resolve();
    }
    return this.#released;
  }

  readonly #onSessionLost = () => {
    void this.end(this.#sessionEndReason(), this.#sessionLost.reason).catch(() => undefined); // closed: else it expires on its own
  };

  /**
   * Ends the term right now if its session's local deadline or its own has passed, even when
   * their timers have not run yet: after a pause (SIGSTOP, VM freeze, long GC) synchronous code
   * runs before any timer, and must not be told "held" past the deadline (safety model 2).
   * Reading `lost` checks the session's deadline; a lost session ends this term through its
   * abort listener, synchronously. Every other end (resign, taken over, the session gone from
   * the store, close) sets #ended first.
   */
  #checkDeadlines(): void {
    if (this.#ended) return;
    if (this.#holder.lost.aborted) this.#onSessionLost(); // (its listener already did, once started)
    else this.#loop.check();
    if (!this.#ended) this.#heldUntil = Math.min(this.#holder.deadlineAt, this.#loop.deadlineAt);
  }

  /** Why a term ends with its session: the session was closed, or it was lost. */
  #sessionEndReason(): LeadershipEndReason {
    return this.#sessionLost.reason instanceof ClosedError ? 'closed' : 'session-lost';
  }

  async #renew(): Promise<boolean> {
    const { connection, sql, cluster } = this.#ctx;
    const { changes } = await connection.run(sql.leaseRenew, [this.#holder.timing.ttlMs, cluster, this.election, this.#holder.id, this.term]);
    return changes === 1;
  }

  async #release(): Promise<void> {
    const { connection, sql, cluster } = this.#ctx;
    // Not durable: a release lost in a server crash leaves the lease to expire on its own.
    await connection.runAndAnnounce(sql.leaseRelease, [cluster, this.election, this.#holder.id, this.term], cluster, { durable: false });
  }
}
