/**
 * The async helpers every wait in baton is built from: pause on the injected clock, race a promise
 * against a signal, wait for an abort, combine signals. Each one settles once its signal aborts
 * and removes the listeners it added (the habit "every wait races a signal and always settles").
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from './clock.js';
import { AbortedError, isBatonError } from './errors.js';
import { withoutJudging } from './judged-signal.js';

/**
 * Sleeps `ms` on `clock`. Resolves true when the time passed, false when `signal` aborted first
 * (or had already); it never rejects for the abort. Any other failure of the clock is passed on.
 *
 * @example
 * while (await pause(clock, retryMs, signal)) await retry();
 */
export async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await clock.sleep(ms, { signal });
    return !signal.aborted;
  } catch (error) {
    if (signal.aborted || isBatonError(error, 'ABORTED')) return false;
    throw error;
  }
}

/**
 * Settles as `promise` does, or rejects with AbortedError(`what`, reason) as soon as `signal`
 * aborts, whichever comes first. The raced promise runs on (a request already sent cannot be
 * recalled); its later outcome, failure included, is dropped on purpose. With no signal it is
 * `promise` itself.
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(new AbortedError(what, signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(new AbortedError(what, signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Resolves when any of `signals` aborts (at once if one already has); never rejects. The
 * listeners go with the first abort. Undefined entries are skipped, so optional signals can be
 * passed as they are; with none left it never resolves.
 */
export function whenAborted(...signals: readonly (AbortSignal | undefined)[]): Promise<void> {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.some((s) => s.aborted)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = new AbortController();
    const finish = () => {
      done.abort();
      resolve();
    };
    for (const s of present) s.addEventListener('abort', finish, { once: true, signal: done.signal });
  });
}

/**
 * `AbortSignal.any` over the signals that are present: aborts when any of them does, with that
 * one's reason. For the common `options.signal` that may be undefined. The one way baton calls
 * AbortSignal.any (eslint: no-restricted-properties): each given signal is read first, so a
 * judged one past its deadline aborts now, and Node's own reads run without judging
 * (withoutJudging: on Node 20 a judge aborting a composite's source inside AbortSignal.any
 * failed an internal assertion).
 */
export function anySignal(...signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  for (const signal of present) if (signal.aborted) break; // judges them in order, as AbortSignal.any would
  return withoutJudging(() => AbortSignal.any(present));
}

/**
 * A signal that follows `signal` and may carry any number of listeners, for one request fanned
 * out into parallel calls that each listen on it (a subtree walk, one read per member). Node
 * warns past 10 listeners on one signal; a fan-out that grows with the data is not a leak, and
 * the caller's own signal keeps its limit.
 */
export function fanOutSignal(signal: AbortSignal): AbortSignal;
export function fanOutSignal(signal: AbortSignal | undefined): AbortSignal | undefined;
export function fanOutSignal(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  const derived = anySignal(signal);
  setMaxListeners(Infinity, derived);
  return derived;
}
