/**
 * The holder's view of one item's term (the `Held` that `acquired` gets), kept by HandoffSlots
 * while the item is held. Its signal aborts when the holding ends: released (`stop`), or the
 * term found over when the signal is read (judged on the monotonic clock by `held()`, which ends
 * a term past its deadline synchronously), so a process resumed after a freeze never reads a
 * stale "still held" (docs/safety.md rule 4).
 *
 * The signal is made when first read, already aborted if the holding has ended by then: a node
 * holds thousands of items, and an AbortSignal costs about 1 KB of heap in Node 20 (measured:
 * each one gets a hidden class of its own), so an item whose holder never asks for its signal
 * costs none. One class for every held item (not an object literal with its own getter
 * closure, which also gave each object its own hidden class): about 160 B an item against 620.
 */
import type { Fence, Leadership } from '../contract/contract.js';
import type { Held } from '../holding/index.js';
import { judgedController } from '../judged-signal.js';

export class HeldItem implements Held {
  readonly token: number;
  readonly fence: Fence;
  readonly #leadership: Leadership;
  /** Made when `signal` is first read. */
  #stop: AbortController | undefined;
  /** Set once the holding ended by `stop` (the reason the signal aborts with). */
  #stopped: { readonly reason: unknown } | undefined;

  constructor(leadership: Leadership) {
    this.token = leadership.term;
    this.fence = leadership.fence;
    this.#leadership = leadership;
    Object.freeze(this);
  }

  /** Aborts when the holding ends; reading it judges the term's deadline first. */
  get signal(): AbortSignal {
    let stop = this.#stop;
    if (stop === undefined) {
      // A signal kept by the holder (`({ token, signal }) => work(signal)`) judges too when read.
      stop = judgedController(() => this.#judge());
      this.#stop = stop;
      if (this.#stopped !== undefined) stop.abort(this.#stopped.reason);
    }
    this.#judge();
    return stop.signal;
  }

  /** The holding ended (the item is being released): the signal aborts with `reason`. */
  stop(reason: unknown): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = { reason };
    this.#stop?.abort(reason);
  }

  /** A term found over aborts the signal (its own reason). */
  #judge(): void {
    const stop = this.#stop;
    if (stop !== undefined && !stop.signal.aborted && !this.#leadership.held()) stop.abort(this.#leadership.signal.reason);
  }
}
