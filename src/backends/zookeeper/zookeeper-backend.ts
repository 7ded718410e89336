/**
 * The ZooKeeper backend. It holds two kinds of ZooKeeper sessions:
 * - one shared connection for reads, KV writes (fenced ones too: the fence is a `check` in the
 *   same multi, whichever connection sends it) and watches; replaced if it ever expires;
 * - one connection per baton Session, whose ZooKeeper session IS the baton session: the member
 *   and candidate znodes are its ephemerals, and closing it removes them at once.
 * Layout: see zk-layout.ts. Liveness and the local deadline: see zk-session.ts.
 */
import type { Backend, CallOptions, ChangeListener, LeaderRecord, Member, MembersOptions, Session, SessionOptions, WatchOptions } from '../../contract/contract.js';
import { isJsonObject } from '../../contract/json.js';
import { validateSegment } from '../../contract/names.js';
import { validateTiming } from '../../contract/timing.js';
import { pause } from '../../async.js';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { ClosedError, ConfigError, InvalidArgumentError, NodeIdInUseError, NotFoundError, StateError, warnCorruptDocument, type NodeIdHolder } from '../../errors.js';
import { normalizeChroot, normalizeConnect } from '../../zk-client/connect-string.js';
import type { ZkAcl } from '../../zk-client/zk-acl.js';
import { explainNoAuth, lockDownSubtree } from './zk-acl-lockdown.js';
import { ZkClient } from '../../zk-client/zk-client.js';
import { ZkKv } from './zk-kv.js';
import { ZkKvRoot, type KvPaths } from './zk-kv-root.js';
import { ZkLayout } from './zk-layout.js';
import { readLeader, readMembers } from './zk-readers.js';
import { ZkSession, memberData } from './zk-session.js';
import { SubtreeWatch } from './zk-subtree-watch.js';
import { isZkError, toContractError } from '../../zk-client/zookeeper-error.js';

export interface ZookeeperBackendOptions {
  /** The ensemble: `host:port,host:port,...` (port defaults to 2181). */
  readonly connect: string;
  /** A znode path that holds everything (`/apps/baton`); created when missing. */
  readonly chroot?: string;
  readonly cluster: string;
  /** Monotonic clock for session deadlines; default the system clock. */
  readonly clock?: Clock;
  /**
   * Session timeout of the backend's shared connection (reads, unfenced writes, watches), ms.
   * It holds no ephemerals, so it only bounds how long a partition may last before its watches
   * must be set again on a new session. Default 15000 (ZooKeeper's usual range is 4-40 s).
   */
  readonly sharedSessionTimeoutMs?: number;
  /**
   * Digest credentials for every connection, and the ACL of every znode the backend creates
   * (the chroot, its layout, members, candidates, KV). Default none: znodes open to anyone.
   */
  readonly acl?: ZkAcl;
  /**
   * Open for reading only: create nothing (neither the chroot nor the cluster's znodes) and fail
   * with NotFoundError('store') when the cluster has no znodes and no other cluster does either.
   */
  readonly readOnly?: boolean;
  /** How long to wait for the first connection, ms. Default: the shared session timeout. */
  readonly connectTimeoutMs?: number;
}

/** Session timeout asked for the shared connection, ms (the server's clock): baton's default ttl. */
const DEFAULT_SHARED_SESSION_TIMEOUT_MS = 15_000;
/**
 * How long to wait between attempts to replace an expired shared connection, ms on the clock.
 * Only after a partition longer than the shared session timeout; one second keeps the log calm.
 */
const RECONNECT_RETRY_MS = 1_000;

/**
 * Opens a ZooKeeper backend: baton's state under `/{cluster}/baton` inside `chroot`.
 *
 * @example
 * const backend = await createZookeeperBackend({ connect: 'zk1:2181,zk2:2181,zk3:2181', chroot: '/baton', cluster: 'prod' });
 * const session = await backend.openSession({ nodeId: 'n1', info: { host: 'n1' }, timing: DEFAULT_TIMING });
 */
export async function createZookeeperBackend(options: ZookeeperBackendOptions, { signal }: CallOptions = {}): Promise<Backend> {
  const layout = new ZkLayout(validateSegment('cluster name', options.cluster));
  const connect = normalizeConnect(options.connect, 'store.connect');
  const chroot = normalizeChroot(options.chroot, 'store.chroot');
  const sessionTimeoutMs = options.sharedSessionTimeoutMs ?? DEFAULT_SHARED_SESSION_TIMEOUT_MS;
  const acl = options.acl;
  const connectTimeoutMs = options.connectTimeoutMs ?? sessionTimeoutMs;
  if (options.readOnly === true) return openForReading({ ...options, connect, chroot, sessionTimeoutMs, connectTimeoutMs, layout }, signal);
  if (chroot) {
    // The library cannot create its chroot: make it with a client outside it first.
    const bootstrap = await ZkClient.connect({ connect, sessionTimeoutMs, connectTimeoutMs, acl }, { signal });
    try {
      await bootstrap.mkdirs(chroot, { signal });
    } catch (error) {
      throw explainNoAuth(error, chroot, acl);
    } finally {
      await bootstrap.close();
    }
  }
  const shared = await ZkClient.connect({ connect, chroot, sessionTimeoutMs, connectTimeoutMs, acl }, { signal });
  try {
    for (const path of [layout.kv, layout.members, layout.elections]) await shared.mkdirs(path, { signal });
    // Znodes made before ACLs were turned on would stay open to anyone (zk-acl-lockdown.ts).
    if (acl) await lockDownSubtree(shared, layout.root, acl, { signal });
  } catch (error) {
    await shared.close();
    throw toContractError(explainNoAuth(error, layout.root, acl));
  }
  return new ZookeeperBackend({ connect, chroot, sessionTimeoutMs, acl, cluster: options.cluster, clock: options.clock ?? systemClock, layout, shared });
}

/**
 * The read-only open: one connection, no znode created. A cluster without its root znode is
 * read as empty when the store holds other clusters (the reader then names them); a store
 * with no baton cluster at all is NotFoundError.
 */
async function openForReading(
  options: ZookeeperBackendOptions & { connect: string; chroot: string | undefined; sessionTimeoutMs: number; connectTimeoutMs: number; layout: ZkLayout },
  signal: AbortSignal | undefined,
): Promise<Backend> {
  const { connect, chroot, sessionTimeoutMs, connectTimeoutMs, acl, layout } = options;
  const shared = await ZkClient.connect({ connect, chroot, sessionTimeoutMs, connectTimeoutMs, acl }, { signal });
  const backend = new ZookeeperBackend({ connect, chroot, sessionTimeoutMs, acl, cluster: options.cluster, clock: options.clock ?? systemClock, layout, shared });
  try {
    if ((await shared.exists(layout.root, { signal })) !== null) {
      await shared.getChildren(layout.root, { signal }); // exists() ignores ACLs: prove this client may read
    } else if ((await backend.clusters({ signal })).length === 0) {
      throw new NotFoundError('store', `no baton data here: ZooKeeper ${connect}${chroot ?? ''} holds no baton cluster (no /{cluster}/baton znode); check the store URL and its chroot, or start a node first`);
    }
  } catch (error) {
    await backend.close();
    throw toContractError(explainNoAuth(error, layout.root, acl));
  }
  return backend;
}

interface BackendParams {
  readonly connect: string;
  readonly chroot: string | undefined;
  readonly sessionTimeoutMs: number;
  readonly acl: ZkAcl | undefined;
  readonly cluster: string;
  readonly clock: Clock;
  readonly layout: ZkLayout;
  readonly shared: ZkClient;
}

class ZookeeperBackend implements Backend {
  readonly kind = 'zookeeper' as const;
  readonly cluster: string;
  readonly kv: ZkKv;
  readonly #p: BackendParams;
  readonly #closed = new AbortController();
  readonly #watches = new Set<SubtreeWatch>();
  #shared: ZkClient;
  #session: ZkSession | undefined;
  /**
   * Sessions that were lost and whose ZooKeeper session is still open: it is closed only at
   * `lastHeardAt + ttlMs` (docs/safety.md rule 5, see ZkSession). close() waits for them, so that a
   * closed backend leaves no connection behind (one left open would reconnect for as long as
   * the process runs once the servers are gone).
   */
  readonly #releasing = new Set<ZkSession>();
  #closing: Promise<void> | undefined;

  constructor(params: BackendParams) {
    this.#p = params;
    this.cluster = params.cluster;
    this.#shared = params.shared;
    this.#followShared();
    this.kv = this.#kvAt(params.layout);
  }

  kvAtPath(path: string): ZkKv {
    return this.#kvAt(new ZkKvRoot(path));
  }

  #kvAt(paths: KvPaths): ZkKv {
    return new ZkKv({
      client: async () => this.#client(),
      layout: paths,
      resolveFence: (fence) => this.#session?.resolveFence(fence) ?? null,
      watch: (root, depth, listener, options) => this.#watch(root, depth, listener, options),
    });
  }

  async members(options: MembersOptions = {}): Promise<Member[]> {
    try {
      return await readMembers(this.#client(), this.#p.layout, options.onCorrupt ?? warnCorruptDocument, options);
    } catch (error) {
      throw toContractError(error);
    }
  }

  watchMembers(listener: ChangeListener, options: WatchOptions): void {
    this.#watch(this.#p.layout.members, 1, listener, options);
  }

  /** Children of the chroot that hold a `baton` znode: the clusters stored here. */
  async clusters(options: CallOptions = {}): Promise<string[]> {
    try {
      const client = this.#client();
      const found: string[] = [];
      for (const child of await client.getChildren('/', options)) {
        if (child !== 'zookeeper' && (await client.exists(`/${child}/baton`, options)) !== null) found.push(child);
      }
      return found.sort();
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) return []; // the chroot itself is missing
      throw toContractError(error);
    }
  }

  async leader(election: string, options: CallOptions = {}): Promise<LeaderRecord | null> {
    const layout = this.#p.layout;
    layout.election(election);
    try {
      return await readLeader(this.#client(), layout, election, options);
    } catch (error) {
      throw toContractError(error);
    }
  }

  watchLeader(election: string, listener: ChangeListener, options: WatchOptions): void {
    this.#watch(this.#p.layout.election(election), 1, listener, options);
  }

  /**
   * Opens the session: 1. its own ZooKeeper client with session timeout = ttlMs; 2. check the
   * server granted at least that; 3. create the member znode (ephemeral). A member znode owned
   * by another live session means the node id is in use.
   */
  async openSession(options: SessionOptions): Promise<Session> {
    this.#client();
    const nodeId = validateSegment('node id', options.nodeId);
    if (!isJsonObject(options.info)) throw new InvalidArgumentError('member info must be a JSON object');
    const timing = validateTiming(options.timing);
    // The margin must outlast one probe interval: the leader may never hear of our last successful
    // probe (its touch reaches the leader only at the leader's next ping of that follower), so its
    // expiry can fall one retryPeriodMs (+ tickTime / 2) before lastHeardAt + ttlMs. See zk-session.ts.
    if (timing.ttlMs - timing.renewDeadlineMs <= timing.retryPeriodMs) {
      throw new ConfigError(
        'election.renewDeadlineMs',
        `ttlMs - renewDeadlineMs (${timing.ttlMs - timing.renewDeadlineMs}) must exceed retryPeriodMs (${timing.retryPeriodMs}) plus half the ZooKeeper tickTime on ZooKeeper: lower renewDeadlineMs or retryPeriodMs`,
      );
    }
    if (this.#session) throw new StateError(`backend for cluster "${this.cluster}" already has an open session (${this.#session.id}); close it first`);
    const layout = this.#p.layout;
    const client = await ZkClient.connect(
      {
        connect: this.#p.connect,
        chroot: this.#p.chroot,
        acl: this.#p.acl,
        sessionTimeoutMs: timing.ttlMs,
        clock: this.#p.clock,
        probeIntervalMs: timing.retryPeriodMs,
        // Half the local deadline: a silent server is left in time to reach another before it.
        readTimeoutMs: Math.floor(timing.renewDeadlineMs / 2),
        onProbe: options.onRenewal,
      },
      { signal: options.signal },
    );
    try {
      // The server clamps the timeout to [minSessionTimeout, maxSessionTimeout] (default [2, 20] x
      // tickTime). Granted less than ttlMs, it could expire the session before our margin
      // (ttlMs - renewDeadlineMs) is over, so a successor could start while our stop callbacks
      // still run: refuse, rather than quietly shrink every timing. Granted more is safe (the
      // server only waits longer; a lost session is still closed at lastHeardAt + ttlMs).
      if (client.sessionTimeoutMs < timing.ttlMs) {
        throw new ConfigError('election.ttlMs', `ZooKeeper granted a session timeout of ${client.sessionTimeoutMs} ms, less than ttlMs ${timing.ttlMs}: lower ttlMs or raise the servers' maxSessionTimeout`);
      }
      await this.#register(client, layout.member(nodeId), nodeId, options);
    } catch (error) {
      await client.close();
      throw toContractError(error);
    }
    const session = new ZkSession({ client, layout, clock: this.#p.clock, nodeId, timing, onFinal: () => this.#sessionEnded(session) });
    this.#session = session;
    session.start();
    return session;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed.abort(new ClosedError(`ZooKeeper backend for cluster "${this.cluster}"`));
    const session = this.#session;
    this.#session = undefined;
    await session?.close().catch(() => undefined); // the ZooKeeper session ends with its client either way
    await Promise.all([...this.#releasing].map((lost) => lost.released)); // never early: see #releasing
    this.#watches.clear();
    await this.#shared.close();
  }

  async #register(client: ZkClient, path: string, nodeId: string, options: SessionOptions): Promise<void> {
    try {
      await client.create(path, memberData(options.info), { mode: 'ephemeral', signal: options.signal });
    } catch (error) {
      if (!isZkError(error, 'NODE_EXISTS')) throw error;
      const stat = await client.exists(path, { signal: options.signal });
      if (stat?.ephemeralOwner !== client.sessionId) throw new NodeIdInUseError(nodeId, await readHolderInfo(client, path));
    }
  }

  #sessionEnded(session: ZkSession): void {
    if (this.#session === session) this.#session = undefined;
    this.#releasing.add(session);
    void session.released.then(() => this.#releasing.delete(session));
  }

  #client(): ZkClient {
    if (this.#closed.signal.aborted) throw new ClosedError(`ZooKeeper backend for cluster "${this.cluster}"`);
    return this.#shared;
  }

  #watch(root: string, depth: number, listener: ChangeListener, options: WatchOptions): void {
    this.#client();
    const signal = AbortSignal.any([options.signal, this.#closed.signal]);
    if (signal.aborted) return;
    const watch = new SubtreeWatch({ client: () => this.#shared, root, depth, listener, signal, clock: this.#p.clock, retryMs: RECONNECT_RETRY_MS });
    this.#watches.add(watch);
    signal.addEventListener('abort', () => this.#watches.delete(watch), { once: true });
    watch.start();
  }

  /** When the shared session expires (a long partition), open a new one and set every watch again. */
  #followShared(): void {
    this.#shared.ended.addEventListener('abort', () => void this.#replaceShared(), { once: true, signal: this.#closed.signal });
  }

  async #replaceShared(): Promise<void> {
    const { connect, chroot, sessionTimeoutMs, acl, clock } = this.#p;
    const signal = this.#closed.signal;
    while (!signal.aborted) {
      try {
        const fresh = await ZkClient.connect({ connect, chroot, sessionTimeoutMs, acl }, { signal });
        if (signal.aborted) return void (await fresh.close());
        this.#shared = fresh;
        this.#followShared();
        for (const watch of this.#watches) watch.rearm();
        return;
      } catch {
        await pause(clock, RECONNECT_RETRY_MS, signal); // retried until closed
      }
    }
  }
}

/** The member info in the znode holding a node id (ZooKeeper does not show when its session was last heard). */
async function readHolderInfo(client: ZkClient, path: string): Promise<NodeIdHolder> {
  try {
    const parsed: unknown = JSON.parse((await client.getData(path)).data.toString());
    const info = isJsonObject(parsed) ? parsed['info'] : undefined;
    return isJsonObject(info) ? { info } : {};
  } catch {
    return {}; // only a better message was at stake
  }
}
