/**
 * The async helpers every wait in baton is built from: pause on the injected clock, race a promise
 * against a signal, wait for an abort, combine signals. Each one settles once its signal aborts
 * and removes the listeners it added (the habit "every wait races a signal and always settles").
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from './clock.js';
import { AbortedError, isBatonError } from './errors.js';

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

/** A signal combined by {@link anySignal}; `dispose()` lets go of its sources. */
export interface CombinedSignal extends AbortSignal {
  /** Unsubscribes from every source: the sources keep nothing of this signal. Idempotent. */
  dispose(): void;
}

/** What a source holds while combinations follow it: one listener, and the combinations. */
interface Followers {
  readonly combined: Set<AbortController>;
  readonly onAbort: () => void;
}
const followersOf = new WeakMap<AbortSignal, Followers>();

function follow(source: AbortSignal, combined: AbortController): void {
  let followers = followersOf.get(source);
  if (followers === undefined) {
    const set = new Set<AbortController>();
    const onAbort = () => {
      followersOf.delete(source);
      for (const c of [...set]) c.abort(source.reason);
    };
    followers = { combined: set, onAbort };
    followersOf.set(source, followers);
    source.addEventListener('abort', onAbort, { once: true });
  }
  followers.combined.add(combined);
}

function unfollow(source: AbortSignal, combined: AbortController): void {
  const followers = followersOf.get(source);
  if (followers === undefined || !followers.combined.delete(combined) || followers.combined.size > 0) return;
  followersOf.delete(source);
  source.removeEventListener('abort', followers.onAbort);
}

/**
 * A signal that aborts when any of the present `signals` does, with that one's reason (what
 * `AbortSignal.any` does), for the common `options.signal` that may be undefined. Each given
 * signal is read first, so a judged one past its deadline aborts the result at once.
 *
 * Unlike Node 20's AbortSignal.any, whose every source keeps a reference to every combination
 * made from it until the source aborts (a session's `lost` combined on every campaign grew by
 * about 87 bytes a campaign for the session's life), a source keeps a combination only until the
 * combination aborts or its `dispose()` is called: call it once the combination is no longer
 * needed. A source carries one abort listener however many combinations follow it. The one way
 * baton combines signals (eslint: no-restricted-properties bans AbortSignal.any).
 */
export function anySignal(...signals: readonly (AbortSignal | undefined)[]): CombinedSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  const done = present.find((s) => s.aborted); // judges them in order, stopping at the first aborted
  if (done !== undefined) return Object.assign(AbortSignal.abort(done.reason), { dispose: () => undefined });
  const controller = new AbortController();
  const sources = [...new Set(present)];
  const dispose = () => {
    for (const source of sources) unfollow(source, controller);
  };
  for (const source of sources) follow(source, controller);
  controller.signal.addEventListener('abort', dispose, { once: true });
  return Object.assign(controller.signal, { dispose });
}

/**
 * A signal that follows `signal` and may carry any number of listeners, for one request fanned
 * out into parallel calls that each listen on it (a subtree walk, one read per member). Node
 * warns past 10 listeners on one signal; a fan-out that grows with the data is not a leak, and
 * the caller's own signal keeps its limit.
 */
export function fanOutSignal(signal: AbortSignal): CombinedSignal;
export function fanOutSignal(signal: AbortSignal | undefined): CombinedSignal | undefined;
export function fanOutSignal(signal: AbortSignal | undefined): CombinedSignal | undefined {
  if (signal === undefined) return undefined;
  const derived = anySignal(signal);
  setMaxListeners(Infinity, derived);
  return derived;
}
