/**
 * The backend contract: everything a feature (election, membership, assignment, partitions)
 * may ask of a store. A backend implements this and nothing else; features never see SQL or
 * ZooKeeper. The safety model it serves is docs/safety.md.
 *
 * Every async call takes `{ signal }` and always settles: it rejects with AbortedError when the
 * signal aborts, with ClosedError after close, with StoreUnavailableError when the store cannot
 * be reached, and with one of the other BatonErrors for a definite refusal.
 */
import type { CorruptDocumentError } from '../errors.js';
import type { Json, JsonObject } from './json.js';
import type { SessionTiming } from './timing.js';

export type BackendKind = 'memory' | 'sqlite' | 'postgres' | 'mysql' | 'zookeeper' | 'etcd';

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface WatchOptions {
  /** The watch ends when this aborts. Required: a watch must always have an end. */
  readonly signal: AbortSignal;
}

/**
 * A change listener. Watches are level-triggered hints: "something under what you watch may
 * have changed, read it again". A listener may be called for no change, and several changes
 * may be folded into one call; it is never called after the watch's signal aborted.
 */
export type ChangeListener = () => void;

/** A live member of the cluster (its session is alive). */
export interface Member {
  readonly nodeId: string;
  readonly sessionId: string;
  /** What the node advertises: host, ports, zone, weight, tags, ... */
  readonly info: JsonObject;
}

/** The current holder of an election. */
export interface LeaderRecord {
  readonly election: string;
  readonly nodeId: string;
  readonly sessionId: string;
  /** Fencing token: strictly increasing across leadership changes of this election. */
  readonly term: number;
  /** When this term began, wall-clock epoch ms as the store recorded it. For display only. */
  readonly since: number;
  /** What the leader published when it campaigned (its address, ...). */
  readonly info: JsonObject;
}

/**
 * Names an election term that the writer claims to hold. A fenced write lands only if, in the
 * same transaction, the store confirms that `sessionId` still holds `term` of `election`.
 */
export interface Fence {
  readonly election: string;
  readonly term: number;
  readonly sessionId: string;
}

/** Held leadership of one election, for one term. */
export interface Leadership {
  readonly election: string;
  readonly term: number;
  readonly fence: Fence;
  /**
   * Aborts when this term ends for any reason (resigned, not renewed by the local deadline,
   * lost to an external change, session lost, closed). The reason is a BatonError. The holder
   * must stop acting for the term as soon as it aborts.
   */
  readonly signal: AbortSignal;
  /**
   * Whether this term is held at this very moment, judged on the local monotonic clock when
   * called (docs/safety.md rule 4): false once the term's or its session's local deadline
   * has passed, even if the timer that fires it has not run yet (a process resumed after a
   * pause); in that case the term ends (and `signal` aborts) synchronously before this returns.
   * The `signal` getter makes the same check, so `leadership.signal.aborted` read at once is
   * always current. Cheap: callable millions of times a second.
   */
  held(): boolean;
  /**
   * Gives the term up at once so a successor need not wait for expiry. Idempotent. After a term
   * ended by its deadline, its session's loss or a lost connection, the store is left to expire
   * it (that margin is what lets stop callbacks finish, docs/safety.md rule 5): resign then releases
   * nothing early.
   */
  resign(options?: CallOptions): Promise<void>;
}

export interface KvEntry {
  readonly key: string;
  readonly value: Json;
  /**
   * Increases on every write of this key and never repeats for the key, not even across a
   * delete: a key created again continues above every version it had before, so a
   * compare-and-set holding a version from before the delete conflicts. A new key starts at 1
   * or more.
   */
  readonly version: number;
}

export interface KvWriteOptions extends CallOptions {
  /**
   * Optimistic concurrency: the version the key must have now; `null` means "must not exist";
   * omitted means unconditional. A mismatch rejects with VersionConflictError.
   */
  readonly expectVersion?: number | null;
  /** Lands only if the fence's term is still held (checked atomically). Else FencedError. */
  readonly fence?: Fence;
}

export interface KvListOptions extends CallOptions {
  /** Called for every entry under the prefix that is not valid JSON; such entries are skipped. */
  readonly onCorrupt?: (error: CorruptDocumentError) => void;
}

export interface MembersOptions extends CallOptions {
  /**
   * Called for every member whose stored info is corrupt (not a JSON object); such members are
   * skipped, so one bad entry never hides the others. Without it, each is reported as a process
   * warning (type `BatonCorruptDocument`).
   */
  readonly onCorrupt?: (error: CorruptDocumentError) => void;
}

/** Small versioned JSON documents under keys (see names.ts for the key rules). */
export interface Kv {
  /** The entry, or null when absent. Rejects with CorruptDocumentError when not valid JSON. */
  get(key: string, options?: CallOptions): Promise<KvEntry | null>;
  /** Every entry whose key starts with `prefix` ('' or ending in '/'), sorted by key. */
  list(prefix: string, options?: KvListOptions): Promise<KvEntry[]>;
  /** Writes `value`; resolves with the new version. */
  put(key: string, value: Json, options?: KvWriteOptions): Promise<number>;
  /** Deletes the key. Deleting an absent key without expectVersion succeeds. */
  delete(key: string, options?: KvWriteOptions): Promise<void>;
  /** Calls `listener` after changes to keys under `prefix`. */
  watch(prefix: string, listener: ChangeListener, options: WatchOptions): void;
}

export type SessionState =
  /** Renewals succeed. */
  | 'live'
  /** The last renewal failed; still inside the local deadline. */
  | 'suspended'
  /** The local deadline passed, the store said it expired, or it was closed: final. */
  | 'lost'
  | 'closed';

export interface SessionOptions extends CallOptions {
  readonly nodeId: string;
  /** Member info published with the session. */
  readonly info: JsonObject;
  readonly timing: SessionTiming;
  /**
   * Called after every renewal attempt of the session (and, on a backend that renews leases
   * one by one, of each lease it holds), with how long the attempt took on the monotonic clock
   * and whether it succeeded (for metrics). SQL leases live with the session, so only the
   * session is renewed; backends whose client renews invisibly (ZooKeeper pings) may never call
   * it.
   */
  readonly onRenewal?: (latencyMs: number, ok: boolean) => void;
}

/**
 * This process's liveness in the cluster, and its membership: the member entry exists exactly
 * as long as the session. Leadership of any election is held through a session and ends with it.
 */
export interface Session {
  readonly id: string;
  readonly nodeId: string;
  readonly timing: SessionTiming;
  /**
   * Fired when the session is lost or MAY be lost: on this process's monotonic clock, at the
   * start of the last successful renewal + renewDeadlineMs, or at once when the store says so.
   * Every wait in every feature races this signal, so it has no listener limit (every backend
   * lifts it). Final: a lost session is never revived.
   * The getter checks the deadline on the monotonic clock when read, so `session.lost.aborted`
   * is current even before the deadline's timer has run.
   */
  readonly lost: AbortSignal;
  /** Checked against the local deadline when read, like `lost` (never 'live' past it). */
  readonly state: SessionState;
  /** Calls `listener` on every state change, until `signal` aborts. */
  onStateChange(listener: (state: SessionState) => void, options: WatchOptions): void;
  /** Replaces the member info published with this session. */
  updateInfo(info: JsonObject, options?: CallOptions): Promise<void>;
  /**
   * Waits until this session leads `election`, publishing `info` as the leader's info.
   * Rejects with SessionLostError when the session is lost while waiting, AbortedError when
   * `signal` aborts. A session campaigns at most once at a time per election.
   */
  campaign(election: string, info: JsonObject, options?: CallOptions): Promise<Leadership>;
  /**
   * Graceful close: resigns every leadership, removes the member entry and ends the session at
   * once, so successors take over in one round trip instead of one TTL. Idempotent.
   */
  close(options?: CallOptions): Promise<void>;
}

/**
 * One connection to a store, scoped to one cluster. Reads and unfenced writes need no session;
 * at most one session is open per backend at a time.
 */
export interface Backend {
  readonly kind: BackendKind;
  readonly cluster: string;
  readonly kv: Kv;
  /** Live members, sorted by node id; members with corrupt info are skipped (see MembersOptions). */
  members(options?: MembersOptions): Promise<Member[]>;
  watchMembers(listener: ChangeListener, options: WatchOptions): void;
  /** The current leader of `election`, or null. CorruptDocumentError when its info is not JSON. */
  leader(election: string, options?: CallOptions): Promise<LeaderRecord | null>;
  watchLeader(election: string, listener: ChangeListener, options: WatchOptions): void;
  /**
   * Opens this process's session and registers it as a member. Rejects with NodeIdInUse
   * (code NODE_ID_IN_USE) when a live session already uses the node id.
   */
  openSession(options: SessionOptions): Promise<Session>;
  /** Closes any open session gracefully, then the connection. Idempotent. */
  close(): Promise<void>;
  /**
   * The clusters this store holds data for (any stored member, lease or KV document, live or
   * not), sorted: how a reader tells a misspelt cluster name from an empty cluster. Optional: a
   * backend without it lets readers skip that check.
   */
  clusters?(options?: CallOptions): Promise<string[]>;
  /**
   * A KV whose keys live under the absolute path `path` of the store instead of this cluster's
   * own folder (ZooKeeper: key `a/b` is the znode `{path}/a/b` inside the connection's chroot,
   * its value the JSON text), with the same versions and fenced writes. For layouts shared with
   * another system (Amoro's bucket assignments). Optional: only path-shaped stores (ZooKeeper)
   * have it. InvalidArgumentError for a path that is not absolute or has invalid segments.
   */
  kvAtPath?(path: string): Kv;
}
