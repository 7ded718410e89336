/**
 * The nodes of one chaos run: node ids `n1`..`nK`, each in its own namespace slot (a restart under
 * the same id reuses it), all on one store and one cluster name, all talking to one register.
 */
import type { Namespaces } from '../net/namespaces.js';
import type { Key } from '../history.js';
import { BUCKETS, PARTITIONS, TIMING } from '../timing.js';
import { RESOURCE } from '../node/resource.js';
import type { ChaosStore } from '../stores/chaos-store.js';
import type { RegisterProcess } from './register-process.js';
import { NodeProcess } from './node-process.js';

/** Every key a run's nodes hold: the cluster role, each bucket, each partition. */
export function keysOfRun(): Key[] {
  return [
    'leader',
    ...Array.from({ length: BUCKETS.count }, (_, i) => `bucket/${i + 1}`),
    ...Array.from({ length: PARTITIONS.partitions }, (_, i) => `partition/${i}`),
  ];
}

export class Cluster {
  readonly nodes: NodeProcess[] = [];
  readonly #dir: string;
  readonly #store: ChaosStore;
  readonly #namespaces: Namespaces | null;
  readonly #register: RegisterProcess;
  readonly #name: string;

  constructor(dir: string, name: string, store: ChaosStore, namespaces: Namespaces | null, register: RegisterProcess) {
    this.#dir = dir;
    this.#name = name;
    this.#store = store;
    this.#namespaces = store.networked ? namespaces : null;
    this.#register = register;
  }

  get name(): string {
    return this.#name;
  }

  live(): NodeProcess[] {
    return this.nodes.filter((n) => n.running);
  }

  /** Starts node `nodeId` (`n<slot>`), optionally with extra environment (libfaketime). */
  start(nodeId: string, env?: Record<string, string>): NodeProcess {
    const slot = Number(nodeId.slice(1));
    const values = {
      store: this.#store.nodeUrl,
      cluster: this.#name,
      nodeId,
      http: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      election: TIMING,
      buckets: { enabled: true, ...BUCKETS },
      partitions: { [RESOURCE]: PARTITIONS },
    };
    const net = this.#namespaces?.node(slot) ?? null;
    const node = new NodeProcess(this.#dir, this.#register.socketPath, { nodeId, net, values, ...(env ? { env } : {}) }, (gone) => {
      void this.#register.client.gone(gone.pid);
    });
    this.nodes.push(node);
    return node;
  }

  /** The network of a node's slot (null for SQLite). */
  netOf(nodeId: string) {
    return this.#namespaces?.node(Number(nodeId.slice(1))) ?? null;
  }

  /** Keys held by exactly one running, unfrozen process right now; and the others. */
  async ownership(keys: readonly Key[]): Promise<{ held: Key[]; orphaned: Key[]; shared: Key[] }> {
    const holders = await this.#register.client.holders();
    const acting = new Set(this.live().filter((n) => !n.frozen).map((n) => n.pid));
    const held: Key[] = [];
    const orphaned: Key[] = [];
    const shared: Key[] = [];
    for (const key of keys) {
      const pids = (holders[key] ?? []).filter((pid) => acting.has(pid));
      (pids.length === 1 ? held : pids.length === 0 ? orphaned : shared).push(key);
    }
    return { held, orphaned, shared };
  }

  /** SIGKILLs every node still running (the end of a run, or an interrupted one). */
  async killAll(): Promise<void> {
    await Promise.all(this.live().map((n) => n.kill()));
  }

  /** Graceful leave of every node. */
  async leaveAll(): Promise<void> {
    await Promise.all(this.live().map((n) => n.leave()));
  }
}
