import type { CallOptions, Fence, Leadership } from '../../backend/contract.js';
import { AbortedError, LeadershipEndedError, type LeadershipEndReason } from '../../errors.js';

/**
 * One held term of one election, as the holding session sees it. The session renews it and
 * ends it; `signal` aborts (with a LeadershipEndedError) the moment the term ends locally.
 */
export class MemoryLeadership implements Leadership {
  readonly election: string;
  readonly term: number;
  readonly fence: Fence;
  /** Monotonic ms on the holder's clock: start of the last successful renewal (or the acquisition). */
  lastRenewStart: number;
  readonly #controller = new AbortController();
  readonly #release: () => void;
  readonly #onEnd: (leadership: MemoryLeadership) => void;

  constructor(
    fence: Fence,
    acquiredAt: number,
    release: () => void,
    onEnd: (leadership: MemoryLeadership) => void,
  ) {
    this.election = fence.election;
    this.term = fence.term;
    this.fence = Object.freeze({ ...fence });
    this.lastRenewStart = acquiredAt;
    this.#release = release;
    this.#onEnd = onEnd;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  held(): boolean {
    return !this.signal.aborted;
  }

  /** Ends the term locally (first call wins); `release` also gives it up in the store. */
  end(reason: LeadershipEndReason, release: boolean): void {
    if (this.#controller.signal.aborted) return;
    if (release) this.#release();
    this.#controller.abort(new LeadershipEndedError(this.election, this.term, reason));
    this.#onEnd(this);
  }

  async resign(options?: CallOptions): Promise<void> {
    if (options?.signal?.aborted) throw new AbortedError('resign', options.signal.reason);
    this.end('resigned', true);
  }
}
