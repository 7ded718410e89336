/**
 * The baton node: from a validated config it opens the store, starts the surfaces the process
 * entry attached (its HTTP API: startNode in src/http/start-node.ts), and keeps a session in the
 * cluster with the cluster-leader elector and the features running on it.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Backend, SessionState } from '../contract/contract.js';
import { systemClock, type Clock } from '../clock.js';
import type { BatonConfig } from '../config/types.js';
import type { LeaderElector } from '../election/index.js';
import { ClosedError, NotFoundError, StateError } from '../errors.js';
import type { DrainRequest } from '../operations/index.js';
import { HolderListeners, type AcquiredListener, type Held, type HolderEvent, type ReleasedListener } from '../holding/index.js';
import type { BucketsFeature } from '../buckets/buckets-feature.js';
import type { PartitionLeadership } from '../partitions/partition-leadership.js';
import { PARTITIONS_FEATURE, type PartitionsFeature } from '../partitions/partitions-feature.js';
import { raceSignal } from '../async.js';
import { deferred } from './deferred.js';
import type { NodeFeature } from '../feature/feature.js';
import { featureFactories } from './features.js';
import { createNodeLogger } from './logger.js';
import type { DrainOptions, DrainResult, NodeHolding } from './node-drain.js';
import { NodeMetrics } from './node-metrics.js';
import { NodeOperations } from './node-operations.js';
import { OperationsMetrics } from './operations-metrics.js';
import type { NodeSurface } from './node-surface.js';
import { openConfiguredStore, openWithRetry, type OpenBackend } from './open-backend.js';
import { SessionSupervisor } from './session-supervisor.js';

export interface StartNodeOptions {
  /** How to open the store; default openStore(config.store.url, ...). */
  readonly openBackend?: OpenBackend;
  /** Monotonic clock for timing; default the system clock. */
  readonly clock?: Clock;
  /** Logger; default pino on stdout at config.log.level. */
  readonly logger?: Logger;
  /** Features to run instead of those built from the registry (features.ts). */
  readonly features?: readonly NodeFeature[];
  /**
   * Servers to run beside the node, each built from it when it starts (startNode attaches the
   * HTTP API); default none.
   */
  readonly surfaces?: readonly ((node: BatonNode) => NodeSurface)[];
}

export type NodeState = 'created' | 'starting' | 'running' | 'closing' | 'closed';

/**
 * A running node. Create it with {@link startNode}; stop it with `close()`, which releases the
 * lease and the membership at once so a successor takes over without waiting for the TTL.
 */
export class BatonNode {
  readonly config: BatonConfig;
  readonly logger: Logger;
  readonly #metrics: NodeMetrics;
  readonly #clock: Clock;
  readonly #open: OpenBackend;
  readonly #features: readonly NodeFeature[];
  readonly #surfaceFactories: readonly ((node: BatonNode) => NodeSurface)[];
  readonly #done = deferred<Error | null>();
  /** The node's leadership listeners, fed by the elector for every term of every session. */
  readonly #leadership: HolderListeners;
  /** Resolves with the supervisor once start() created it; rejects when the node never gets one. */
  readonly #supervised = deferred<SessionSupervisor>();
  #state: NodeState = 'created';
  #backend: Backend | null = null;
  #surfaces: NodeSurface[] = [];
  #supervisor: SessionSupervisor | null = null;
  #ports: Readonly<Record<string, number>> = {};
  #closing: Promise<void> | null = null;
  /** Aborted by close(): a start still under way stops at its next step (ClosedError). */
  readonly #startAbort = new AbortController();
  /** The steps of start() while they run; close() waits for them before releasing. */
  #starting: Promise<void> | null = null;
  /** The operator verbs (drain, what the node holds) and the drain watch, the elector's campaign hold. */
  readonly #operations: NodeOperations;

  constructor(config: BatonConfig, options: StartNodeOptions = {}) {
    this.config = config;
    this.logger = options.logger ?? createNodeLogger(config);
    this.#clock = options.clock ?? systemClock;
    this.#metrics = new NodeMetrics({ cluster: config.cluster, nodeId: config.nodeId }, this.#clock);
    new OperationsMetrics(this.#metrics.registry, () => this.#backend?.kv ?? null);
    this.#open = options.openBackend ?? openConfiguredStore;
    this.#features = options.features ?? featureFactories.map((make) => make(config, this.#metrics.registry, this.logger)).filter((f) => f !== null);
    this.#surfaceFactories = options.surfaces ?? [];
    this.#leadership = new HolderListeners(this.logger);
    this.#operations = new NodeOperations({ config, clock: this.#clock, logger: this.logger, features: this.#features, backend: () => this.backend, isLeader: () => this.isLeader() });
  }

  get state(): NodeState {
    return this.#state;
  }

  get nodeId(): string {
    return this.config.nodeId;
  }

  /** The store connection (after start). */
  get backend(): Backend {
    if (this.#backend === null) throw new StateError('the node has not opened its store yet');
    return this.#backend;
  }

  /** The node's Prometheus registry (what the HTTP API serves at /metrics). */
  get metrics(): Registry {
    return this.#metrics.registry;
  }

  /** The port the HTTP surface bound (useful with http.port 0); 0 without one. */
  get port(): number {
    return this.#ports['http'] ?? 0;
  }

  /** Base URL of the HTTP API. */
  get url(): string {
    const host = this.config.http.host.includes(':') ? `[${this.config.http.host}]` : this.config.http.host;
    return `http://${host}:${this.port}`;
  }

  /**
   * How long ago this node's last successful session renewal ended (ms, monotonic clock); null
   * before the first (and on stores whose client renews invisibly, ZooKeeper pings).
   */
  get lastRenewalAgeMs(): number | null {
    return this.#metrics.lastRenewalAgeMs();
  }

  get sessionState(): SessionState | 'none' {
    return this.#supervisor?.session?.state ?? 'none';
  }

  /** The cluster-leader elector (one for the node's life, across sessions), or null before start(). */
  get elector(): LeaderElector | null {
    return this.#supervisor?.elector ?? null;
  }

  /** Whether this node leads the cluster now (judged when asked, on the monotonic clock). */
  isLeader(): boolean {
    return this.elector?.isLeader() ?? false;
  }

  /**
   * Adds a leadership listener for every term of every session until close (register before
   * `start()` to miss nothing); returns a function that removes it. InvalidArgumentError for any
   * other event name.
   * - `acquired` (held): this node leads the cluster; `held.signal` aborts when the term ends;
   *   `held.fence` fences the leader's writes; once per term, not awaited.
   * - `released` (reason): that term ended (`moved`, `lost`, `closed`); once per `acquired`,
   *   awaited before the lease is given up or the next campaign.
   */
  on(event: 'acquired', listener: AcquiredListener): () => void;
  on(event: 'released', listener: ReleasedListener): () => void;
  on(event: HolderEvent, listener: AcquiredListener | ReleasedListener): () => void {
    return event === 'acquired' ? this.#leadership.on(event, listener as AcquiredListener) : this.#leadership.on(event, listener as ReleasedListener);
  }

  /**
   * Resolves once the node is in the cluster: its session is open and its features started (at
   * once if so now; after a lost session, once the next one is). May be called before start().
   * Rejects with ClosedError when the node closes first (or the start's error when it failed),
   * AbortedError when `signal` aborts.
   */
  async whenReady(options: { signal?: AbortSignal } = {}): Promise<void> {
    const supervisor = await this.#startedSupervisor(options.signal);
    await supervisor.whenReady(options);
  }

  /**
   * Resolves with the current term of the cluster leadership once this node leads (at once if it
   * does now), as `acquired` listeners get it. May be called before start(). Rejects like
   * {@link whenReady}.
   */
  async whenLeader(options: { signal?: AbortSignal } = {}): Promise<Held> {
    const elector = (await this.#startedSupervisor(options.signal)).elector;
    for (;;) {
      await elector.whenLeader(options);
      const held = elector.held();
      if (held !== null) return held; // else the term ended before this ran: wait for the next
    }
  }

  feature<T extends NodeFeature = NodeFeature>(name: string): T | undefined {
    return this.#features.find((f) => f.name === name) as T | undefined;
  }

  /**
   * The partitioned resource `name` (config `partitions.<name>`): `isLeaderFor(key)`,
   * `leaderOf(key)`, `started` / `stopped` events. NotFoundError when not configured.
   */
  partitions(name: string): PartitionLeadership {
    const feature = this.feature<PartitionsFeature>(PARTITIONS_FEATURE);
    if (feature === undefined) throw new NotFoundError(name, `no partitioned resource "${name}": this node configures none (config partitions.<name>)`);
    return feature.resource(name);
  }

  /**
   * The bucket feature (config `buckets.enabled: true`): `owned()`, `acquired` / `released`
   * events. NotFoundError when buckets are not enabled on this node.
   */
  get buckets(): BucketsFeature {
    const feature = this.feature<BucketsFeature>('buckets');
    if (feature === undefined) throw new NotFoundError('buckets', 'buckets are not enabled on this node; set buckets.enabled: true (or BATON_BUCKETS_ENABLED=true)');
    return feature;
  }

  /**
   * Drains this node (issue 19): stores its drain request (`operations/drain/{node}`), so the
   * cluster leader moves its items to the other live nodes through the two-step handoff and it
   * hands over the cluster leadership and takes nothing new; resolves once it holds nothing
   * (`drained: true`), when `timeoutMs` passes first, or at once when no other live node that
   * is not draining could take over (`stalled: true`; nothing moves then). The request stays
   * until {@link cancelDrain} or this node id starts again. The action is logged (`by`).
   * AbortedError when `signal` aborts; StateError before start().
   *
   * @example
   * const { drained } = await node.drain({ timeoutMs: 20_000, reason: 'upgrade' });
   * await node.close(); // nothing goes without a holder when drained is true
   */
  drain(options: DrainOptions = {}): Promise<DrainResult> {
    return this.#operations.drain(options);
  }

  /** Withdraws this node's drain request (it takes work again); the request that was stored, or null. Logged (`by`). */
  cancelDrain(options: { readonly by?: string; readonly signal?: AbortSignal } = {}): Promise<DrainRequest | null> {
    return this.#operations.cancelDrain(options);
  }

  /**
   * What this node holds now (the cluster leadership, items by group), judged when asked, and
   * whether stopping it now leaves nothing without a holder: `ready` when it holds no election.
   */
  holding(): NodeHolding {
    return this.#operations.holding();
  }

  /** Whether stopping this node now leaves nothing without a holder (it holds no election): `holding().ready`. */
  readyToStop(): boolean {
    return this.holding().ready;
  }

  /** Resolves when the node has stopped: null after close(), the error after a fatal failure. */
  get done(): Promise<Error | null> {
    return this.#done.promise;
  }

  /**
   * Starts the node: 1. open the store (bounded retries), 2. start the surfaces (bind HTTP),
   * 3. start the session loop. On failure everything opened so far is closed and the error is
   * thrown.
   */
  async start(): Promise<void> {
    if (this.#state !== 'created') throw new StateError(`start() called on a node that is ${this.#state}`);
    this.#state = 'starting';
    this.#starting = this.#startSteps(this.#startAbort.signal);
    try {
      await this.#starting;
    } catch (error) {
      this.#supervised.reject(error);
      // A close() during start releases what the steps opened; otherwise the failed start does.
      if (this.#closing === null) {
        await this.#release();
        this.#state = 'closed';
        this.#done.resolve(error instanceof Error ? error : new Error(String(error)));
      }
      throw error;
    }
    if (this.#closing !== null) return;
    this.#state = 'running';
    const joined = this.#supervisor?.session != null;
    this.logger.info(
      { reason: 'started', url: this.url, store: this.#backend?.kind, session: joined ? 'open' : 'retrying' },
      joined ? 'node started on %s' : 'node started on %s, not in the cluster yet: its session could not open (see the warning before); it keeps retrying',
      this.url,
    );
  }

  /**
   * 1. open the store (bounded retries), 2. start the surfaces (bind HTTP), 3. start the session
   * loop. Each step first checks that close() has not been called meanwhile.
   */
  async #startSteps(stop: AbortSignal): Promise<void> {
    this.#backend = await openWithRetry(this.#open, this.config, this.#clock, this.logger, stop);
    stop.throwIfAborted();
    const hold = await this.#operations.start(this.#backend, stop);
    stop.throwIfAborted();
    await this.#startSurfaces();
    stop.throwIfAborted();
    const supervisor = new SessionSupervisor({
      hold,
      config: this.config,
      backend: this.#backend,
      clock: this.#clock,
      logger: this.logger,
      metrics: this.#metrics,
      features: this.#features,
      ports: this.#ports,
    });
    supervisor.elector.on('acquired', (held) => this.#leadership.acquired(held));
    supervisor.elector.on('released', (reason) => this.#leadership.released(reason));
    this.#supervisor = supervisor;
    this.#supervised.resolve(supervisor);
    await supervisor.start();
    void supervisor.failed.then((error) => this.#stop(error));
  }

  /** The supervisor once start() created it; the start's error, ClosedError or AbortedError otherwise. */
  async #startedSupervisor(signal: AbortSignal | undefined): Promise<SessionSupervisor> {
    return this.#supervisor ?? raceSignal(this.#supervised.promise, signal, 'waiting for the node to start');
  }

  /** Graceful stop: features, leadership, membership, surfaces (HTTP), store. Idempotent. */
  close(): Promise<void> {
    return this.#stop(null);
  }

  #stop(error: Error | null): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'closing';
      const closed = new ClosedError('node');
      this.#startAbort.abort(closed);
      this.#supervised.reject(closed);
      await this.#starting?.catch(() => undefined);
      await this.#release();
      this.#state = 'closed';
      this.logger.info({ reason: error ? 'failed' : 'closed' }, 'node stopped');
      this.#done.resolve(error);
    })();
    return this.#closing;
  }

  async #release(): Promise<void> {
    await this.#supervisor?.close();
    this.#operations.stop();
    for (const surface of this.#surfaces.splice(0).reverse()) await surface.close().catch((error: unknown) => this.logger.warn({ err: error }, 'surface close failed'));
    await this.#backend?.close().catch((error: unknown) => this.logger.warn({ err: error }, 'store close failed'));
  }

  async #startSurfaces(): Promise<void> {
    for (const make of this.#surfaceFactories) {
      const surface = make(this);
      this.#surfaces.push(surface);
      this.#ports = { ...this.#ports, ...(await surface.start()) };
    }
  }
}
