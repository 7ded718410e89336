/**
 * The ZooKeeper backend's operations (opened by createZookeeperBackend, zookeeper-backend.ts):
 * members, leaders, sessions and the KV over one shared connection, plus one connection per
 * baton Session; the shared connection is replaced if it ever expires.
 */
import type { Backend, CallOptions, ChangeListener, LeaderRecord, Member, MembersOptions, Session, SessionOptions, WatchOptions } from '../../contract/contract.js';
import { isJsonObject } from '../../contract/json.js';
import { validateSegment } from '../../contract/names.js';
import { validateTiming } from '../../contract/timing.js';
import { anySignal, pause } from '../../async.js';
import type { Clock } from '../../clock.js';
import { ClosedError, ConfigError, InvalidArgumentError, NodeIdInUseError, warnCorruptDocument, type NodeIdHolder } from '../../errors.js';
import type { ZkAcl } from '../../zk-client/zk-acl.js';
import { ZkClient } from '../../zk-client/zk-client.js';
import { ZkKv } from './zk-kv.js';
import { ZkKvRoot, type KvPaths } from './zk-kv-root.js';
import type { ZkLayout } from './zk-layout.js';
import { readLeader, readMembers } from './zk-readers.js';
import { ZkSession, memberData } from './zk-session.js';
import { SubtreeWatch } from './zk-subtree-watch.js';
import { isZkError, toContractError } from '../../zk-client/zookeeper-error.js';
import { SessionSlot } from '../session-slot.js';

/**
 * How long to wait between attempts to replace an expired shared connection, ms on the clock.
 * Only after a partition longer than the shared session timeout; one second keeps the log calm.
 */
const RECONNECT_RETRY_MS = 1_000;

export interface BackendParams {
  readonly connect: string;
  readonly chroot: string | undefined;
  readonly sessionTimeoutMs: number;
  readonly acl: ZkAcl | undefined;
  readonly cluster: string;
  readonly clock: Clock;
  readonly layout: ZkLayout;
  readonly shared: ZkClient;
}

export class ZookeeperBackend implements Backend {
  readonly kind = 'zookeeper' as const;
  readonly cluster: string;
  readonly kv: ZkKv;
  readonly #p: BackendParams;
  readonly #closed = new AbortController();
  readonly #watches = new Set<SubtreeWatch>();
  #shared: ZkClient;
  readonly #sessionSlot: SessionSlot<ZkSession>;
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
    this.#sessionSlot = new SessionSlot(params.cluster);
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
      resolveFence: (fence) => this.#sessionSlot.current?.resolveFence(fence) ?? null,
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
    this.#sessionSlot.checkFree();
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
    return this.#sessionSlot.start(session);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed.abort(new ClosedError(`ZooKeeper backend for cluster "${this.cluster}"`));
    await this.#sessionSlot.close(); // the ZooKeeper session ends with its client either way
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
    this.#sessionSlot.ended(session);
    this.#releasing.add(session);
    void session.released.then(() => this.#releasing.delete(session));
  }

  #client(): ZkClient {
    if (this.#closed.signal.aborted) throw new ClosedError(`ZooKeeper backend for cluster "${this.cluster}"`);
    return this.#shared;
  }

  #watch(root: string, depth: number, listener: ChangeListener, options: WatchOptions): void {
    this.#client();
    const signal = anySignal(options.signal, this.#closed.signal);
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
