import { IdQueue } from './id-queue.js';

/**
 * A counting gate: at most `limit` holders at once; the others wait in arrival order. A waiter
 * whose signal aborts leaves the line at once. Releasing twice is harmless.
 *
 * @example
 * const permits = new Permits(64);
 * const release = await permits.acquire(signal);
 * if (release !== null) try { await work(); } finally { release(); }
 */
export class Permits {
  readonly #limit: number;
  #held = 0;
  /** Waiters in arrival order, O(1) to leave the line from anywhere (not a Set taken from its front: O(n²), see IdQueue). */
  readonly #line = new IdQueue<() => void>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves with the permit's release once one is free, or null when `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<(() => void) | null> {
    if (signal.aborted) return Promise.resolve(null);
    if (this.#held < this.#limit) {
      this.#held++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#line.delete(admit);
        resolve(null);
      };
      const admit = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(this.#releaser());
      };
      this.#line.add(admit);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A release for one held permit: hands it to the first in line, else frees it. */
  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#line.shift();
      if (next === undefined) {
        this.#held--;
        return;
      }
      next(); // the permit passes on: #held stays
    };
  }
}
