import type { Clock } from '../clock.js';

/**
 * Sleeps `ms` on `clock`; resolves true when the time passed, false when `signal` aborted first.
 * Any other failure of the clock is passed on.
 */
export async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await clock.sleep(ms, { signal });
    return !signal.aborted;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}

/** Resolves when any of the signals aborts (at once if one already has); removes its listeners. */
export function anyAborted(...signals: AbortSignal[]): Promise<void> {
  if (signals.some((s) => s.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = new AbortController();
    const finish = () => {
      done.abort();
      resolve();
    };
    for (const s of signals) s.addEventListener('abort', finish, { once: true, signal: done.signal });
  });
}
