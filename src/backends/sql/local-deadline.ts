import { pause } from '../../async.js';
import type { Clock } from '../../clock.js';

/**
 * A deadline on the local monotonic clock that fires `onExpire` once when reached. `extend`
 * only ever moves it later. Used for "lost or may be lost" (docs/safety.md rule 3).
 *
 * The timer alone is not enough: a process resumed after a pause (SIGSTOP, VM freeze, a long
 * GC) runs synchronous code before any timer, so an answer read then would still say "held"
 * after the deadline. `check()` compares with the clock at the moment it is called and fires
 * right there when the deadline has passed; every answer about holding calls it.
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

  /**
   * Fires now, synchronously, if the deadline has passed and has not fired or been cancelled.
   * One clock read and a comparison: cheap enough for every `held()`.
   */
  check(): void {
    if (!this.#done && this.#clock.now() >= this.#at) this.#expire();
  }

  cancel(): void {
    this.#done = true;
    this.#stop.abort();
  }

  #expire(): void {
    this.cancel(); // ends the timer's wait
    this.#onExpire();
  }

  async #run(): Promise<void> {
    while (!this.#done) {
      const wait = this.#at - this.#clock.now();
      if (wait <= 0) {
        this.#expire();
        return;
      }
      if (!(await pause(this.#clock, wait, this.#stop.signal))) return; // cancelled, or expired by check()
    }
  }
}
