import type { Clock } from '../../clock.js';

/**
 * A deadline on the local monotonic clock that fires `onExpire` once when reached. `extend`
 * only ever moves it later. Used for "lost or may be lost" (DESIGN.md safety model 2).
 */
export class LocalDeadline {
  readonly #clock: Clock;
  readonly #onExpire: () => void;
  readonly #stop = new AbortController();
  #at: number;
  #done = false;

  constructor(clock: Clock, at: number, onExpire: () => void) {
    this.#clock = clock;
    this.#at = at;
    this.#onExpire = onExpire;
  }

  get at(): number {
    return this.#at;
  }

  /** Starts waiting (separate from the constructor: no timers there). */
  start(): void {
    void this.#run();
  }

  extend(at: number): void {
    if (at > this.#at) this.#at = at;
  }

  cancel(): void {
    this.#done = true;
    this.#stop.abort();
  }

  async #run(): Promise<void> {
    while (!this.#done) {
      const wait = this.#at - this.#clock.now();
      if (wait <= 0) {
        this.#done = true;
        this.#onExpire();
        return;
      }
      try {
        await this.#clock.sleep(wait, { signal: this.#stop.signal });
      } catch {
        return; // cancelled
      }
    }
  }
}
