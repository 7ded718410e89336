import { randomBytes } from 'node:crypto';
import type { Backend, Session } from '../../src/contract/index.js';
import type { ContractHarness } from './harness.js';

/**
 * Per-test helpers for the contract suite: fresh cluster names, and backends that are all closed
 * when the test ends (pass or fail), so no test leaks connections or sessions into the next.
 */
export class ContractContext {
  readonly harness: ContractHarness;
  readonly #opened: Backend[] = [];

  constructor(harness: ContractHarness) {
    this.harness = harness;
  }

  get timing() {
    return this.harness.timing;
  }

  /** A cluster name no other test uses. */
  cluster(): string {
    return `c-${randomBytes(5).toString('hex')}`;
  }

  /** Opens a backend (a "process") for `cluster`, closed by `closeAll`. */
  async open(cluster: string): Promise<Backend> {
    const backend = await this.harness.open(cluster);
    this.#opened.push(backend);
    return backend;
  }

  /** Opens a backend and a session on it with node id `nodeId`. */
  async session(cluster: string, nodeId: string, info: Record<string, string | number> = {}): Promise<{ backend: Backend; session: Session }> {
    const backend = await this.open(cluster);
    const session = await backend.openSession({ nodeId, info: { host: nodeId, ...info }, timing: this.timing });
    return { backend, session };
  }

  /** Closes every backend opened through this context; reports the first failure. */
  async closeAll(): Promise<void> {
    const backends = this.#opened.splice(0);
    const results = await Promise.allSettled(backends.map((b) => b.close()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}

/** Records whether a promise settled, without leaving a rejection unhandled. */
export function track<T>(promise: Promise<T>): { readonly promise: Promise<T>; settled: boolean; value?: T; error?: unknown } {
  const tracked: { promise: Promise<T>; settled: boolean; value?: T; error?: unknown } = { promise, settled: false };
  promise.then(
    (value) => Object.assign(tracked, { settled: true, value }),
    (error: unknown) => Object.assign(tracked, { settled: true, error }),
  );
  return tracked;
}
