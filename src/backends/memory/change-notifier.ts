import type { ChangeListener } from '../../contract/contract.js';

interface Subscription {
  readonly matches: (topic: string) => boolean;
  readonly listener: ChangeListener;
  readonly signal: AbortSignal;
  /** A call is already queued: further changes fold into it (watches are level-triggered). */
  queued: boolean;
}

/**
 * Fans change hints out to listeners of one in-memory cluster. Topics are plain strings
 * (`kv:<key>`, `members`, `leader:<election>`, `heal:<sessionId>`). Calls are asynchronous
 * (a microtask after the change), coalesced, and never made after the subscription's signal
 * aborted. A listener must not throw; if one does, the error is reported as a process warning
 * instead of breaking the store.
 */
export class ChangeNotifier {
  readonly #subscriptions = new Set<Subscription>();

  /** Subscribes until `signal` aborts. */
  subscribe(matches: (topic: string) => boolean, listener: ChangeListener, signal: AbortSignal): void {
    if (signal.aborted) return;
    const subscription: Subscription = { matches, listener, signal, queued: false };
    this.#subscriptions.add(subscription);
    signal.addEventListener('abort', () => this.#subscriptions.delete(subscription), { once: true });
  }

  /** Queues one call for every subscription interested in `topic`. */
  notify(topic: string): void {
    for (const subscription of this.#subscriptions) {
      if (subscription.queued || !subscription.matches(topic)) continue;
      subscription.queued = true;
      queueMicrotask(() => this.#deliver(subscription));
    }
  }

  #deliver(subscription: Subscription): void {
    subscription.queued = false;
    if (subscription.signal.aborted) return;
    try {
      subscription.listener();
    } catch (error) {
      process.emitWarning(error instanceof Error ? error : new Error(String(error)), 'BatonListenerError');
    }
  }
}
