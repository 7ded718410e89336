import { AbortedError } from '../../errors.js';
import type { ChangeNotifier } from './change-notifier.js';

/** A pending wait for a change hint; `cancel` removes every listener it added and drops the outcome. */
export interface HintWait {
  readonly promise: Promise<void>;
  cancel(): void;
}

/**
 * Waits for the next change on any of `topics`. Rejects with the reason of `lost` (the session's
 * signal) when it aborts, or with AbortedError when the caller's `signal` aborts. Every listener
 * is removed when the wait settles or is cancelled.
 */
export function waitForHint(notifier: ChangeNotifier, topics: readonly string[], lost: AbortSignal, signal?: AbortSignal): HintWait {
  const done = new AbortController();
  const promise = new Promise<void>((resolve, reject) => {
    const finish = (error?: unknown) => {
      done.abort();
      if (error === undefined) resolve();
      else reject(error);
    };
    if (lost.aborted) return finish(lost.reason);
    if (signal?.aborted) return finish(new AbortedError('campaign', signal.reason));
    lost.addEventListener('abort', () => finish(lost.reason), { once: true, signal: done.signal });
    signal?.addEventListener('abort', () => finish(new AbortedError('campaign', signal.reason)), { once: true, signal: done.signal });
    notifier.subscribe((topic) => topics.includes(topic), () => finish(), done.signal);
  });
  const cancel = () => {
    done.abort();
    // The caller gave up on this wait: an outcome it already had is no longer of interest.
    promise.catch(() => undefined);
  };
  return { promise, cancel };
}
