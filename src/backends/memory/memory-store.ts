import { systemClock, type Clock } from '../../clock.js';
import type { Backend } from '../../contract/contract.js';
import { validateElectionName, validateKey, validateSegment } from '../../contract/names.js';
import { StateError } from '../../errors.js';
import { MemoryBackend } from './memory-backend.js';
import { MemoryCluster, type Isolation } from './memory-cluster.js';

export interface MemoryStoreOptions {
  /**
   * The clock of the store AND of every session opened through it (expiry, renewals, local
   * deadlines). Default: the system's monotonic clock. Tests pass a FakeClock.
   */
  readonly clock?: Clock;
}

export interface IsolateOptions {
  /** Cut only the renewals of the session's leases; the session itself keeps renewing. */
  readonly leasesOnly?: boolean;
}

/**
 * An in-process store that several backends share, as several processes share one database.
 * It implements the whole backend contract with the timing rules of the real backends, and
 * offers test controls to cut a session off, heal it, expire it, or tamper with records.
 * For unit tests and simulation; in production only as the standalone backend.
 *
 * @example
 * const store = new MemoryStore({ clock: new FakeClock() });
 * const a = store.backend('demo');
 * const session = await a.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
 * const leadership = await session.campaign('cluster-leader', { host: 'a' });
 */
export class MemoryStore {
  readonly clock: Clock;
  readonly #clusters = new Map<string, MemoryCluster>();
  readonly #isolation = new Map<string, Isolation>();
  #sessions = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /** A new connection to `cluster`, as a separate process would open. */
  backend(cluster: string): Backend {
    return new MemoryBackend(this.#cluster(cluster), this.clock, () => `s${++this.#sessions}`);
  }

  /** Renewals of the session (or only of its leases) fail from now on, as if the network were cut. */
  isolate(sessionId: string, options: IsolateOptions = {}): void {
    this.#isolation.set(sessionId, options.leasesOnly === true ? 'leases' : 'all');
  }

  /** Undoes `isolate`: renewals reach the store again (a session already lost stays lost). */
  heal(sessionId: string): void {
    this.#isolation.delete(sessionId);
    for (const cluster of this.#clusters.values()) cluster.changes.notify(`heal:${sessionId}`);
  }

  /** The store ends the session now, like a ZooKeeper session expiry: its leases and member go. */
  expire(sessionId: string): void {
    for (const cluster of this.#clusters.values()) cluster.endSession(sessionId);
  }

  /** The election's lease disappears behind its holder's back; the holder finds out on renewal. */
  disturbLeader(cluster: string, election: string): void {
    this.#cluster(cluster).dropLease(validateElectionName(election));
  }

  /** Stores raw text under a KV key (to plant corrupt documents). */
  writeRawKv(cluster: string, key: string, text: string): void {
    this.#cluster(cluster).setKvText(validateKey(key), text);
  }

  /** Stores raw text as the current leader's info (to plant a corrupt lease). */
  writeRawLeaderInfo(cluster: string, election: string, text: string): void {
    if (!this.#cluster(cluster).setLeaderInfoText(validateElectionName(election), text)) {
      throw new StateError(`nobody leads election "${election}" of cluster "${cluster}"; campaign first`);
    }
  }

  #cluster(name: string): MemoryCluster {
    validateSegment('cluster name', name);
    let cluster = this.#clusters.get(name);
    if (cluster === undefined) {
      cluster = new MemoryCluster(name, this.clock, (sessionId) => this.#isolation.get(sessionId) ?? 'none');
      this.#clusters.set(name, cluster);
    }
    return cluster;
  }
}

/**
 * The backend for `store: none`: a private MemoryStore on the system clock. This node is the
 * only member, and its first campaign wins at once with term 1.
 */
export function createStandaloneBackend(cluster: string): Backend {
  return new MemoryStore().backend(cluster);
}
