/**
 * The abort listeners of ZooKeeper calls: one per signal, shared by every call waiting on it.
 * A campaign's calls all pass the session's `lost` signal; with a listener each (Node's
 * EventTarget makes an object of its own per listener, and its remove walks the list), placing
 * 10,000 buckets spent about 21 MB of allocation on them alone (issue 12). The shared listener
 * is removed as soon as no call waits on its signal, so a long-lived signal (a held term's)
 * keeps nothing of the calls that used it.
 */

/** A call that can be aborted. */
export interface Abortable {
  /** Called once when the signal aborts while the call waits on it. */
  handleAbort(): void;
}

/** The calls waiting on one signal, and that signal's one listener. */
class WaitingOnSignal implements EventListenerObject {
  readonly calls = new Set<Abortable>();
  handleEvent(): void {
    // A call that fails leaves the set (stopWatching); a Set's iteration allows that.
    for (const call of this.calls) call.handleAbort();
  }
}

const waiting = new WeakMap<AbortSignal, WaitingOnSignal>();

/** Makes `call` fail when `signal` aborts, until stopWatching. `signal` must not be aborted yet. */
export function watchAbort(signal: AbortSignal, call: Abortable): void {
  let entry = waiting.get(signal);
  if (entry === undefined) {
    entry = new WaitingOnSignal();
    waiting.set(signal, entry);
    signal.addEventListener('abort', entry, { once: true });
  }
  entry.calls.add(call);
}

/** Stops watching `signal` for `call` (it settled); the listener goes with the last call. */
export function stopWatching(signal: AbortSignal, call: Abortable): void {
  const entry = waiting.get(signal);
  if (entry === undefined || !entry.calls.delete(call) || entry.calls.size > 0) return;
  waiting.delete(signal);
  signal.removeEventListener('abort', entry);
}
