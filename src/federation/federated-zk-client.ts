/**
 * One ZooKeeper client over many realms: each path goes to the realm whose sharding key is a
 * prefix of it (see routing-trie.ts). Realm sessions are opened lazily, one per realm.
 *
 * Supported: create (persistent, persistent sequential), getData, setData, delete (recursive
 * too), exists, getChildren, data and child watches, and multi when all ops go to one realm.
 * Refused with UnsupportedError: ephemeral nodes (a federated client has no single session
 * to own them), the session id and session events, and a multi across realms (no atomicity
 * across ensembles). After `close()` every call rejects with ClosedError.
 *
 * @example
 * const zk = await FederatedZkClient.create({
 *   routing: new DirectoryRoutingSource({ url: 'http://msds:9090', namespace: 'prod' }),
 * });
 * await zk.create('/orders/17', Buffer.from('{}'), { createParents: true });
 * await zk.close();
 */
import type { CallOptions } from '../contract/contract.js';
import { systemClock, type Clock } from '../clock.js';
import { ClosedError, UnsupportedError } from '../errors.js';
import type { ZkAcl } from '../zk-client/zk-acl.js';
import { ZkClient, type CreateOptions, type WatchCallOptions, type ZkOp, type ZkOpResult, type ZkStat } from '../zk-client/zk-client.js';
import { RoutingData } from './routing-data.js';
import { RoutingCache, DEFAULT_ROUTING_REFRESH_INTERVAL_MS } from './routing-cache.js';
import { StaticRoutingSource, type RoutingSource } from './routing-source.js';
import { RealmPool, type RealmConnector } from './realm-pool.js';
import type { Route } from './routing-trie.js';

/**
 * Session timeout asked of each realm's ZooKeeper, ms. The federated client holds no ephemeral
 * state, so the timeout only bounds how long a dead connection goes unnoticed; 30 s is
 * ZooKeeper's usual default.
 */
export const DEFAULT_REALM_SESSION_TIMEOUT_MS = 30_000;

export interface FederatedZkClientOptions {
  /** A routing source, or static routing data (validated before anything connects). */
  readonly routing: RoutingSource | RoutingData | Readonly<Record<string, readonly string[]>>;
  /** Least time between two refreshes on routing misses, ms on `clock` (default 5000). */
  readonly routingRefreshIntervalMs?: number;
  /** Refresh the routing data on a miss (default true). */
  readonly refreshRoutingOnMiss?: boolean;
  /** Monotonic clock for the refresh throttle (default the system clock). */
  readonly clock?: Clock;
  /** See {@link DEFAULT_REALM_SESSION_TIMEOUT_MS}. */
  readonly sessionTimeoutMs?: number;
  /** How long one call may wait for its realm's answer, ms (default: the session timeout). */
  readonly callTimeoutMs?: number;
  /**
   * Digest credentials for every realm, and the ACL of every znode created through this client
   * (default none: znodes open to anyone). Used by the default realm connector only.
   */
  readonly acl?: ZkAcl;
  /**
   * @internal Opens a realm's client (default: `ZkClient.connect` with the realm name as connect
   * string); tests put fake realms here.
   */
  readonly connectRealm?: RealmConnector;
}

/** The create modes a federated client allows. */
export type FederatedCreateMode = 'persistent' | 'persistent_sequential';

export class FederatedZkClient {
  readonly #source: RoutingSource;
  readonly #routing: RoutingCache;
  readonly #pool: RealmPool;
  #closed = false;

  private constructor(source: RoutingSource, options: FederatedZkClientOptions) {
    this.#source = source;
    this.#pool = new RealmPool(options.connectRealm ?? defaultConnector(options));
    this.#routing = new RoutingCache(source, {
      clock: options.clock ?? systemClock,
      refreshIntervalMs: options.routingRefreshIntervalMs ?? DEFAULT_ROUTING_REFRESH_INTERVAL_MS,
      refreshOnMiss: options.refreshRoutingOnMiss ?? true,
      onChange: (previous, next) => this.#onRoutingChange(previous, next),
    });
  }

  /**
   * Validates the options, reads the routing data and returns the client. No realm is
   * connected until a call needs it. Bad static routing throws InvalidRoutingDataError at once.
   */
  static async create(options: FederatedZkClientOptions, callOptions: CallOptions = {}): Promise<FederatedZkClient> {
    const source = isRoutingSource(options.routing) ? options.routing : new StaticRoutingSource(options.routing);
    const client = new FederatedZkClient(source, options);
    try {
      await client.#routing.load(callOptions);
    } catch (error) {
      await client.close(); // the client owns the source: release it (a routing ZK session)
      throw error;
    }
    return client;
  }

  /** The routing data in use now. */
  get routing(): RoutingData {
    return this.#routing.data;
  }

  /** Realms with an open session, sorted. */
  get connectedRealms(): string[] {
    return this.#pool.connectedRealms;
  }

  /** Where `path` goes (refreshing the routing on a miss, like every call). */
  async route(path: string, options?: CallOptions): Promise<Route> {
    this.#checkOpen('route');
    return this.#routing.route(path, options);
  }

  /** Creates a persistent (or persistent sequential) znode; ephemeral modes are refused. */
  async create(path: string, data: Buffer | null, options: Omit<CreateOptions, 'mode'> & { mode?: FederatedCreateMode } = {}): Promise<string> {
    refuseMode(options.mode);
    return (await this.#clientFor('create', path, options)).create(path, data, options);
  }

  async getData(path: string, options: WatchCallOptions = {}): Promise<{ data: Buffer; stat: ZkStat }> {
    return (await this.#clientFor('getData', path, options)).getData(path, options);
  }

  async setData(path: string, data: Buffer, options: CallOptions & { version?: number } = {}): Promise<ZkStat> {
    return (await this.#clientFor('setData', path, options)).setData(path, data, options);
  }

  async delete(path: string, options: CallOptions & { version?: number } = {}): Promise<void> {
    return (await this.#clientFor('delete', path, options)).delete(path, options);
  }

  /** Deletes `path` and everything under it, in its realm (the path must be at or under a key). */
  async deleteRecursive(path: string, options: CallOptions = {}): Promise<void> {
    return (await this.#clientFor('deleteRecursive', path, options)).deleteRecursive(path, options);
  }

  async exists(path: string, options: WatchCallOptions = {}): Promise<ZkStat | null> {
    return (await this.#clientFor('exists', path, options)).exists(path, options);
  }

  async getChildren(path: string, options: WatchCallOptions = {}): Promise<string[]> {
    return (await this.#clientFor('getChildren', path, options)).getChildren(path, options);
  }

  /**
   * Runs `ops` atomically in their realm. Steps: 1. refuse ephemeral creates; 2. route every
   * op; 3. refuse when they go to more than one realm, naming two of them; 4. run the multi.
   */
  async multi(ops: readonly ZkOp[], options: CallOptions = {}): Promise<ZkOpResult[]> {
    this.#checkOpen('multi');
    if (ops.length === 0) return [];
    for (const op of ops) if (op.op === 'create') refuseMode(op.mode);
    const routes = await Promise.all(ops.map((op) => this.#routing.route(op.path, options)));
    const first = routes[0] as Route;
    const other = routes.findIndex((r) => r.realm !== first.realm);
    if (other >= 0) {
      throw new UnsupportedError(
        `multi across realms is not supported: "${ops[0]?.path}" is in realm "${first.realm}" but "${ops[other]?.path}" is in realm "${routes[other]?.realm}"; split it into one multi per realm`,
      );
    }
    const client = this.#pool.ready(first.realm) ?? (await this.#pool.get(first.realm, options));
    return client.multi(ops, options);
  }

  /** Refused: a federated client has one session per realm, not one session. */
  get sessionId(): never {
    throw new UnsupportedError('sessionId is not supported by a federated ZooKeeper client: it holds one session per realm');
  }

  /** Refused: session events are per realm and not exposed by a federated client. */
  onStateChange(): never {
    throw new UnsupportedError('session events (onStateChange) are not supported by a federated ZooKeeper client');
  }

  /** Closes every realm session and the routing source. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#pool.close(), this.#source.close()]);
  }

  async #clientFor(operation: string, path: string, options: CallOptions): Promise<ZkClient> {
    this.#checkOpen(operation);
    // Fast path: a hit in the current data on a connected realm costs no promise but ours.
    const hit = this.#routing.data.tryLookup(path);
    const realm = typeof hit === 'object' ? hit.realm : (await this.#routing.route(path, options)).realm;
    return this.#pool.ready(realm) ?? this.#pool.get(realm, options);
  }

  #checkOpen(operation: string): void {
    if (this.#closed) throw new ClosedError(`federated ZooKeeper client (${operation})`);
  }

  /** Realms gone from the routing are closed; new realms connect on first use. */
  #onRoutingChange(previous: RoutingData, next: RoutingData): void {
    const kept = new Set(next.realms);
    for (const realm of previous.realms) {
      if (!kept.has(realm)) {
        this.#pool.closeRealm(realm).catch((error: unknown) => {
          process.emitWarning(`closing realm "${realm}" after a routing change failed: ${String(error)}`, 'BatonFederationWarning');
        });
      }
    }
  }
}

function refuseMode(mode: string | undefined): void {
  if (mode !== undefined && mode !== 'persistent' && mode !== 'persistent_sequential') {
    throw new UnsupportedError(`create mode "${mode}" is not supported by a federated ZooKeeper client: ephemeral nodes need one session; use persistent or persistent_sequential`);
  }
}

function isRoutingSource(value: unknown): value is RoutingSource {
  return typeof value === 'object' && value !== null && typeof (value as RoutingSource).read === 'function' && !(value instanceof RoutingData);
}

function defaultConnector(options: FederatedZkClientOptions): RealmConnector {
  const sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_REALM_SESSION_TIMEOUT_MS;
  return (realm, callOptions) =>
    ZkClient.connect(
      { connect: realm, sessionTimeoutMs, ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs }), ...(options.acl === undefined ? {} : { acl: options.acl }) },
      callOptions,
    );
}
