import { pause } from '../../async.js';
import type { Clock } from '../../clock.js';
import type { Fence, Member } from '../../contract/contract.js';
import type { JsonObject } from '../../contract/json.js';
import { FencedError, NodeIdInUseError, VersionConflictError } from '../../errors.js';
import { ChangeNotifier } from './change-notifier.js';

/** How a session is cut off from the store by a test (see MemoryStore.isolate). */
export type Isolation = 'none' | 'all' | 'leases';

/** The store's record of a session: the member entry lives exactly as long as this. */
export interface StoredSession {
  readonly id: string;
  readonly nodeId: string;
  info: JsonObject;
  readonly ttlMs: number;
  /** Store clock, ms: when the last renewal reached the store. Expiry is `renewedAt + ttlMs`. */
  renewedAt: number;
  /** Aborts when the store ends the session (expiry, close, MemoryStore.expire). */
  readonly ended: AbortController;
}

/** The store's record of an election's current term. */
export interface StoredLease {
  readonly election: string;
  readonly sessionId: string;
  readonly nodeId: string;
  readonly term: number;
  /** Wall-clock epoch ms, for display only (never used for timing). */
  readonly since: number;
  /** The leader's info as stored text (tests may plant text that is not JSON). */
  infoText: string;
  /** Store clock, ms: the lease's last renewal. Others may take over at `renewedAt + ttlMs`. */
  renewedAt: number;
}

interface StoredValue {
  readonly text: string;
  readonly version: number;
}

/** What a renewal achieved: landed, never reached the store, or found its record gone. */
export type RenewResult = 'ok' | 'unreachable' | 'gone';

/**
 * The server side of one cluster in a MemoryStore: KV documents, sessions (members), leases and
 * terms. Each method is one atomic step (the whole store is single-threaded), so every check
 * and the write it guards happen together, as a database transaction would. Expiry is judged
 * on the store's clock only.
 */
export class MemoryCluster {
  readonly changes = new ChangeNotifier();
  readonly name: string;
  readonly #clock: Clock;
  readonly #isolationOf: (sessionId: string) => Isolation;
  readonly #kv = new Map<string, StoredValue>();
  /** The last version of each deleted key: a key created again continues above it (versions never repeat). */
  readonly #deletedVersions = new Map<string, number>();
  readonly #sessions = new Map<string, StoredSession>();
  readonly #leases = new Map<string, StoredLease>();
  /** The last term handed out per election; never reset, so terms only grow. */
  readonly #terms = new Map<string, number>();

  constructor(name: string, clock: Clock, isolationOf: (sessionId: string) => Isolation) {
    this.name = name;
    this.#clock = clock;
    this.#isolationOf = isolationOf;
  }

  /** False when a test cut this session off from the store entirely. */
  reachable(sessionId: string | undefined): boolean {
    return sessionId === undefined || this.#isolationOf(sessionId) !== 'all';
  }

  // ---- KV ----

  getText(key: string): StoredValue | undefined {
    return this.#kv.get(key);
  }

  listText(prefix: string): Array<[string, StoredValue]> {
    return [...this.#kv.entries()].filter(([key]) => key.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Writes (`text`) or deletes (`null`) a key in one step: 1. the fence, if any, must name the
   * election's current term and holder; 2. the version must match `expectVersion` when given;
   * 3. the value is stored with the next version (a new key starts at 1, a re-created one
   * above its last version before the delete); 4. watchers are told.
   */
  write(key: string, text: string | null, expectVersion?: number | null, fence?: Fence): number {
    if (fence !== undefined && !this.#holds(fence)) throw new FencedError(fence.election, fence.term);
    const current = this.#kv.get(key);
    if (expectVersion !== undefined && expectVersion !== (current?.version ?? null)) {
      throw new VersionConflictError(key, expectVersion, current?.version ?? null);
    }
    if (text === null) {
      if (current === undefined) return 0;
      this.#kv.delete(key);
      this.#deletedVersions.set(key, current.version);
      this.changes.notify(`kv:${key}`);
      return current.version;
    }
    const version = this.#lastVersion(key) + 1;
    this.#deletedVersions.delete(key);
    this.#kv.set(key, { text, version });
    this.changes.notify(`kv:${key}`);
    return version;
  }

  /** The key's current version, or the last one before it was deleted, or 0 if it never existed. */
  #lastVersion(key: string): number {
    return this.#kv.get(key)?.version ?? this.#deletedVersions.get(key) ?? 0;
  }

  #holds(fence: Fence): boolean {
    const lease = this.#leases.get(fence.election);
    return lease !== undefined && lease.sessionId === fence.sessionId && lease.term === fence.term;
  }

  // ---- sessions and members ----

  /** Registers a session and its member entry; NodeIdInUseError if a live session has the id. */
  openSession(id: string, nodeId: string, info: JsonObject, ttlMs: number): StoredSession {
    for (const other of this.#sessions.values()) {
      if (other.nodeId === nodeId) {
        const renewedMsAgo = this.#clock.now() - other.renewedAt;
        throw new NodeIdInUseError(nodeId, { info: other.info, renewedMsAgo, expiresInMs: other.ttlMs - renewedMsAgo });
      }
    }
    const session: StoredSession = { id, nodeId, info, ttlMs, renewedAt: this.#clock.now(), ended: new AbortController() };
    this.#sessions.set(id, session);
    this.changes.notify('members');
    void this.#expireWhenDue(session);
    return session;
  }

  renewSession(id: string): RenewResult {
    const session = this.#sessions.get(id);
    if (session === undefined) return 'gone';
    if (this.#isolationOf(id) === 'all') return 'unreachable';
    session.renewedAt = this.#clock.now();
    return 'ok';
  }

  updateInfo(id: string, info: JsonObject): boolean {
    const session = this.#sessions.get(id);
    if (session === undefined) return false;
    session.info = info;
    this.changes.notify('members');
    return true;
  }

  members(): Member[] {
    return [...this.#sessions.values()]
      .map((s) => ({ nodeId: s.nodeId, sessionId: s.id, info: structuredClone(s.info) }))
      .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }

  /** Ends a session: 1. drop its leases (successors may take over now); 2. drop the member; 3. tell its client. */
  endSession(id: string): void {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    for (const lease of [...this.#leases.values()]) {
      if (lease.sessionId === id) this.#dropLease(lease.election);
    }
    this.#sessions.delete(id);
    this.changes.notify('members');
    session.ended.abort();
  }

  /**
   * Store-side expiry, on the store's clock: a session ends at `renewedAt + ttlMs`, and a lease
   * it holds is dropped at the lease's own `renewedAt + ttlMs` (leases are renewed separately).
   */
  async #expireWhenDue(session: StoredSession): Promise<void> {
    const signal = session.ended.signal;
    while (!signal.aborted) {
      const now = this.#clock.now();
      if (now >= session.renewedAt + session.ttlMs) {
        this.endSession(session.id);
        return;
      }
      let next = session.renewedAt + session.ttlMs;
      for (const lease of [...this.#leases.values()]) {
        if (lease.sessionId !== session.id) continue;
        if (now >= lease.renewedAt + session.ttlMs) this.#dropLease(lease.election);
        else next = Math.min(next, lease.renewedAt + session.ttlMs);
      }
      await pause(this.#clock, next - now, signal);
    }
  }

  // ---- elections ----

  leaseOf(election: string): StoredLease | undefined {
    return this.#leases.get(election);
  }

  /** Takes the election if nobody holds it: the new term is one above every earlier term. */
  tryAcquire(sessionId: string, election: string, infoText: string): StoredLease | undefined {
    const session = this.#sessions.get(sessionId);
    if (session === undefined || this.#leases.has(election) || this.#isolationOf(sessionId) === 'all') return undefined;
    const term = (this.#terms.get(election) ?? 0) + 1;
    const now = this.#clock.now();
    const lease: StoredLease = { election, sessionId, nodeId: session.nodeId, term, since: Date.now(), infoText, renewedAt: now };
    this.#terms.set(election, term);
    this.#leases.set(election, lease);
    this.changes.notify(`leader:${election}`);
    return lease;
  }

  renewLease(sessionId: string, election: string, term: number): RenewResult {
    if (this.#isolationOf(sessionId) !== 'none') return 'unreachable';
    const lease = this.#leases.get(election);
    if (lease === undefined || lease.sessionId !== sessionId || lease.term !== term) return 'gone';
    lease.renewedAt = this.#clock.now();
    return 'ok';
  }

  /** Gives up a term if (and only if) this session still holds it. */
  release(sessionId: string, election: string, term: number): void {
    const lease = this.#leases.get(election);
    if (lease !== undefined && lease.sessionId === sessionId && lease.term === term) this.#dropLease(election);
  }

  /** Test control: the lease record disappears behind its holder's back. */
  dropLease(election: string): void {
    this.#dropLease(election);
  }

  /** Test control: replaces the stored leader info text. False when nobody leads. */
  setLeaderInfoText(election: string, text: string): boolean {
    const lease = this.#leases.get(election);
    if (lease === undefined) return false;
    lease.infoText = text;
    this.changes.notify(`leader:${election}`);
    return true;
  }

  /** Test control: stores raw text under a key, bypassing validation. */
  setKvText(key: string, text: string): void {
    const version = this.#lastVersion(key) + 1;
    this.#deletedVersions.delete(key);
    this.#kv.set(key, { text, version });
    this.changes.notify(`kv:${key}`);
  }

  #dropLease(election: string): void {
    if (this.#leases.delete(election)) this.changes.notify(`leader:${election}`);
  }
}
