import type { Clock } from '../clock.js';
import { isBatonError } from '../errors.js';

/**
 * A level-triggered wake-up: `fire()` marks work as pending; `wait(ms, signal)` resolves at once
 * if work is pending, else on the next `fire()`, after `ms` on the clock, or when `signal`
 * aborts. It never rejects, and it consumes the pending mark; it resolves true when it found
 * work pending (a `fire()` before or during the wait), false on time-out or abort.
 */
export class Wakeup {
  readonly #clock: Clock;
  #pending = false;
  #wake: (() => void) | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  fire(): void {
    this.#pending = true;
    this.#wake?.();
  }

  async wait(ms: number, signal: AbortSignal): Promise<boolean> {
    if (!this.#pending && !signal.aborted) {
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#wake = () => stop.abort();
      try {
        await this.#clock.sleep(ms, { signal: stop.signal });
      } catch (error) {
        if (!isBatonError(error, 'ABORTED')) throw error;
      } finally {
        this.#wake = undefined;
        signal.removeEventListener('abort', onAbort);
      }
    }
    const fired = this.#pending;
    this.#pending = false;
    return fired;
  }
}
