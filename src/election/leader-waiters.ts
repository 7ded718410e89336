import type { Leadership } from '../contract/contract.js';
import { AbortedError } from '../errors.js';

interface Waiter {
  resolve(leadership: Leadership): void;
  reject(error: Error): void;
}

/** Pending `whenLeader` calls: each settles exactly once and removes its abort listener. */
export class LeaderWaiters {
  readonly #waiters = new Set<Waiter>();

  /** Waits for `resolveAll`/`rejectAll`; rejects AbortedError when `signal` aborts first. */
  wait(signal?: AbortSignal): Promise<Leadership> {
    return new Promise((resolve, reject) => {
      const onAbort = () => settle(() => reject(new AbortedError('whenLeader', signal?.reason)));
      const settle = (action: () => void) => {
        this.#waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
        action();
      };
      const waiter: Waiter = {
        resolve: (leadership) => settle(() => resolve(leadership)),
        reject: (error) => settle(() => reject(error)),
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  resolveAll(leadership: Leadership): void {
    for (const waiter of [...this.#waiters]) waiter.resolve(leadership);
  }

  rejectAll(error: Error): void {
    for (const waiter of [...this.#waiters]) waiter.reject(error);
  }
}
