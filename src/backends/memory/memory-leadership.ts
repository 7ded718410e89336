import type { CallOptions, Fence, Leadership } from '../../contract/contract.js';
import type { Clock } from '../../clock.js';
import { AbortedError, leadershipEnded, type LeadershipEndReason } from '../../errors.js';
import { judgedController } from '../../judged-signal.js';

/** What a term needs from the session that holds it. */
export interface TermHolder {
  /** The holder's monotonic clock: the term's local deadline is measured on it. */
  readonly clock: Clock;
  /** No successful renewal for this long since the start of the last one ends the term. */
  readonly renewDeadlineMs: number;
  /** Ends the session (and with it this term) when its own deadline has passed at `now`. */
  checkSession(now: number): void;
  /** The session's local deadline on the monotonic clock; only ever moves later. */
  sessionDeadline(): number;
  /** Gives the term up in the store (graceful handoff only). */
  release(): void;
  /** Told once, when the term has ended locally. */
  onEnd(leadership: MemoryLeadership): void;
}

/**
 * One held term of one election, as the holding session sees it. The session renews it and
 * ends it; `signal` aborts (with a LeadershipEndedError) the moment the term ends locally.
 * `held()` and the `signal` getter judge the local deadline on the holder's monotonic clock
 * when read, so a process resumed after a freeze never answers from a stale flag before its
 * deadline timer has run (docs/safety.md rule 4).
 */
export class MemoryLeadership implements Leadership {
  readonly election: string;
  readonly term: number;
  readonly fence: Fence;
  /** Monotonic ms on the holder's clock: start of the last successful renewal (or the acquisition). */
  lastRenewStart: number;
  /** Judges holding whenever `aborted` is read, also on a signal kept from earlier (judged-signal.ts). */
  readonly #controller = judgedController(() => void this.held());
  readonly #holder: TermHolder;
  /**
   * The earlier of the session's and this term's local deadlines when last looked up. Both
   * only ever move later, so a moment before it is before both: held() answers from it with one
   * clock read and one comparison, and looks the deadlines up again only past it.
   */
  #heldUntil = -Infinity;

  constructor(fence: Fence, acquiredAt: number, holder: TermHolder) {
    this.election = fence.election;
    this.term = fence.term;
    this.fence = Object.freeze({ ...fence });
    this.lastRenewStart = acquiredAt;
    this.#holder = holder;
  }

  get signal(): AbortSignal {
    this.held();
    return this.#controller.signal;
  }

  /** Whether the term has ended, as last recorded (no deadline check: for the session's own loops). */
  get ended(): boolean {
    return this.#controller.signal.aborted;
  }

  /**
   * 1. An ended term stays ended. 2. The session's deadline passed: the session is lost, which
   * ends this term too. 3. The term's own deadline passed: it ends now, left to expire in the
   * store (nothing is released early, docs/safety.md rule 5).
   */
  held(): boolean {
    if (this.#controller.signal.aborted) return false;
    const now = this.#holder.clock.now();
    if (now < this.#heldUntil) return true;
    this.#holder.checkSession(now);
    if (!this.#controller.signal.aborted && now >= this.lastRenewStart + this.#holder.renewDeadlineMs) this.end('renew-deadline', false);
    if (this.#controller.signal.aborted) return false;
    this.#heldUntil = Math.min(this.#holder.sessionDeadline(), this.lastRenewStart + this.#holder.renewDeadlineMs);
    return true;
  }

  /** Ends the term locally (first call wins); `release` also gives it up in the store. */
  end(reason: LeadershipEndReason, release: boolean): void {
    if (this.#controller.signal.aborted) return;
    if (release) this.#holder.release();
    this.#controller.abort(leadershipEnded(this.election, this.term, reason));
    this.#holder.onEnd(this);
  }

  /**
   * Graceful handoff while the term is held: released at once. A term already over (deadline,
   * session lost, taken over) is left to expire in the store; resign releases nothing then.
   */
  async resign(options?: CallOptions): Promise<void> {
    if (options?.signal?.aborted) throw new AbortedError('resign', options.signal.reason);
    if (this.held()) this.end('resigned', true);
  }
}
