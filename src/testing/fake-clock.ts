import type { Clock } from '../clock.js';
import { AbortedError } from '../errors.js';

interface Sleeper {
  readonly wakeAt: number;
  readonly order: number;
  readonly resolve: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` wakes every sleeper whose time has come,
 * in time order, letting pending promise callbacks run between wake-ups so that code which
 * sleeps again inside the advanced window is woken too.
 *
 * @example
 * const clock = new FakeClock();
 * const done = clock.sleep(1000);
 * await clock.advance(1000); // `done` is now resolved
 */
export class FakeClock implements Clock {
  #now: number;
  #order = 0;
  #sleepers: Sleeper[] = [];

  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** How many sleeps are pending (useful to wait until code under test has parked). */
  get pendingSleeps(): number {
    return this.#sleepers.length;
  }

  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    const signal = options?.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortedError('sleep', signal.reason));
        return;
      }
      const sleeper: Sleeper = {
        wakeAt: this.#now + Math.max(0, ms),
        order: this.#order++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(new AbortedError('sleep', signal?.reason));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /** Moves time forward by `ms`, waking sleepers in order; settles pending callbacks as it goes. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.#earliest();
      if (next === undefined || next.wakeAt > target) break;
      this.#now = Math.max(this.#now, next.wakeAt);
      this.#sleepers = this.#sleepers.filter((s) => s !== next);
      next.resolve();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /**
   * Moves time forward by `ms` WITHOUT waking anyone: a process resumed after a freeze (SIGSTOP,
   * VM pause, GC) reads the new time before any of its timers has run. Sleepers whose time has
   * come wake on the next `advance` (use `advance(0)`), in time order.
   */
  jump(ms: number): void {
    this.#now += Math.max(0, ms);
  }

  #earliest(): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.#sleepers) {
      if (!best || s.wakeAt < best.wakeAt || (s.wakeAt === best.wakeAt && s.order < best.order)) best = s;
    }
    return best;
  }
}

/** Lets queued promise callbacks (and the callbacks they queue) run. */
export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
