import { AbortedError } from './errors.js';

/**
 * Time as baton's timing logic sees it. `now()` is MONOTONIC milliseconds (never wall time):
 * deadlines are measured on it, so a wall-clock step cannot extend or shorten a lease.
 * Tests inject a {@link FakeClock} and drive time by hand.
 */
export interface Clock {
  /** Monotonic milliseconds since an arbitrary origin. */
  now(): number;
  /** Resolves after `ms`; rejects with AbortedError as soon as `signal` aborts. */
  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void>;
}

/** The process's monotonic clock (`performance.now()`) and real timers. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  sleep: (ms: number, options?: { signal?: AbortSignal }) => abortableDelay(ms, options?.signal),
});

function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('sleep', signal.reason));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('sleep', signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
