/**
 * The protected register's memory, as a fencing-aware store keeps it: per key, the highest token
 * seen and the process that used it. A write with a lower token is refused (`stale`); the same
 * token from another process is refused too (`reused`: tokens never repeat). A `begin` is the
 * first write of a term, so a new holder's token is known before its first real write.
 */
import type { Key, RegisterResult } from '../history.js';
import type { OpRequest } from './protocol.js';

interface Highest {
  readonly token: number;
  readonly pid: number;
}

export class RegisterState {
  readonly #highest = new Map<Key, Highest>();
  /** Open terms: key -> pid -> token. */
  readonly #open = new Map<Key, Map<number, number>>();

  apply(request: OpRequest): RegisterResult {
    if (request.op === 'end') {
      this.#open.get(request.key)?.delete(request.pid);
      return 'noted';
    }
    const highest = this.#highest.get(request.key);
    if (highest !== undefined && request.token < highest.token) return 'stale';
    if (highest !== undefined && request.token === highest.token && request.pid !== highest.pid) return 'reused';
    this.#highest.set(request.key, { token: request.token, pid: request.pid });
    if (request.op === 'begin') {
      const holders = this.#open.get(request.key) ?? new Map<number, number>();
      holders.set(request.pid, request.token);
      this.#open.set(request.key, holders);
    }
    return 'accepted';
  }

  gone(pid: number): void {
    for (const holders of this.#open.values()) holders.delete(pid);
  }

  holders(): Record<Key, number[]> {
    const out: Record<Key, number[]> = {};
    for (const [key, holders] of this.#open) if (holders.size > 0) out[key] = [...holders.keys()];
    return out;
  }
}
