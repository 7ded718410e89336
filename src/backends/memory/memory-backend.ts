import type { Clock } from '../../clock.js';
import type { Backend, CallOptions, ChangeListener, LeaderRecord, Member, Session, SessionOptions, WatchOptions } from '../../contract/contract.js';
import { isJsonObject } from '../../contract/json.js';
import { validateElectionName, validateSegment } from '../../contract/names.js';
import { validateTiming } from '../../contract/timing.js';
import { AbortedError, ClosedError, CorruptDocumentError, InvalidArgumentError, StateError, StoreUnavailableError } from '../../errors.js';
import type { MemoryCluster } from './memory-cluster.js';
import { MemoryKv, parseDocument } from './memory-kv.js';
import { MemorySession } from './memory-session.js';
import { anySignal } from '../../async.js';

/**
 * One "process connection" to a cluster of a MemoryStore. Several backends of one store behave
 * like several processes sharing one database or ensemble. For unit tests, simulation and
 * standalone mode only.
 */
export class MemoryBackend implements Backend {
  readonly kind = 'memory' as const;
  readonly cluster: string;
  readonly kv: MemoryKv;
  readonly #store: MemoryCluster;
  readonly #clock: Clock;
  readonly #newSessionId: () => string;
  readonly #closed = new AbortController();
  #session: MemorySession | undefined;

  constructor(store: MemoryCluster, clock: Clock, newSessionId: () => string) {
    this.cluster = store.name;
    this.#store = store;
    this.#clock = clock;
    this.#newSessionId = newSessionId;
    this.kv = new MemoryKv(store, { check: (what, options) => this.#check(what, options), closed: this.#closed.signal });
  }

  async members(options?: CallOptions): Promise<Member[]> {
    this.#check('members', options);
    return this.#store.members();
  }

  watchMembers(listener: ChangeListener, options: WatchOptions): void {
    this.#check('watchMembers');
    this.#store.changes.subscribe((topic) => topic === 'members', listener, anySignal(options.signal, this.#closed.signal));
  }

  async leader(election: string, options?: CallOptions): Promise<LeaderRecord | null> {
    validateElectionName(election);
    this.#check('leader', options);
    const lease = this.#store.leaseOf(election);
    if (lease === undefined) return null;
    const where = `elections/${election}`;
    const info = parseDocument(where, lease.infoText);
    if (!isJsonObject(info)) throw new CorruptDocumentError(where, 'leader info is not a JSON object');
    const { nodeId, sessionId, term, since } = lease;
    return { election, nodeId, sessionId, term, since, info };
  }

  watchLeader(election: string, listener: ChangeListener, options: WatchOptions): void {
    validateElectionName(election);
    this.#check('watchLeader');
    const topic = `leader:${election}`;
    this.#store.changes.subscribe((t) => t === topic, listener, anySignal(options.signal, this.#closed.signal));
  }

  /** Opens a session; StateError while this backend's previous session is still open. */
  async openSession(options: SessionOptions): Promise<Session> {
    validateSegment('node id', options.nodeId);
    if (!isJsonObject(options.info)) throw new InvalidArgumentError('member info must be a JSON object');
    const timing = validateTiming(options.timing);
    this.#check('openSession', options);
    const previous = this.#session;
    if (previous !== undefined && (previous.state === 'live' || previous.state === 'suspended')) {
      throw new StateError(`backend for cluster "${this.cluster}" already has an open session (${previous.id}); close it first`);
    }
    const stored = this.#store.openSession(this.#newSessionId(), options.nodeId, structuredClone(options.info), timing.ttlMs);
    const session = new MemorySession(this.#store, this.#clock, stored, options, timing);
    this.#session = session;
    session.start();
    return session;
  }

  async close(): Promise<void> {
    if (this.#closed.signal.aborted) return;
    await this.#session?.close();
    this.#closed.abort(new ClosedError(`memory backend for cluster "${this.cluster}"`));
  }

  #check(what: string, options?: CallOptions): void {
    if (this.#closed.signal.aborted) throw new ClosedError(`memory backend for cluster "${this.cluster}"`);
    if (options?.signal?.aborted) throw new AbortedError(what, options.signal.reason);
    if (!this.#store.reachable(this.#session?.id)) {
      throw new StoreUnavailableError(`${what}: the memory store is unreachable for session ${this.#session?.id ?? ''} (isolated by a test)`);
    }
  }
}
