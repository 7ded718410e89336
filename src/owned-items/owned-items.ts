/**
 * The owned-items engine as a node runs it: one object per kind of item (the buckets, one
 * partitioned resource) that lives as long as the node. For every session it runs the node's
 * follower (ItemFollower: hold what the stored target says, through the two-step handoff) and,
 * whenever this node leads the cluster, the placement loop (ItemPlacement: place the items over
 * the live nodes with fenced writes and an offline grace). Listeners stay across sessions.
 *
 * As etcd's Election and Mutex are two thin primitives over one Session, buckets and partitions
 * are two thin layers over this engine: each supplies an OwnedItemsLayout (item ids, stored
 * layout, replicas and who should hold what) and its own surface.
 */
import type { Logger } from 'pino';
import type { Backend, Kv, Leadership, Session } from '../contract/contract.js';
import { systemClock, type Clock } from '../clock.js';
import { isBatonError, StateError, type CorruptDocumentError } from '../errors.js';
import type { ClusterElector } from '../feature/cluster-elector.js';
import type { AutoFreeze } from '../feature/node-config.js';
import { HolderListeners, type AcquiredListener, type ReleasedListener } from '../holding/index.js';
import { ItemFollower } from './item-follower.js';
import { ItemPlacement, type PassReport, type PlacementTiming } from './item-placement.js';
import type { OwnedItemsLayout } from './layout.js';
import { silentLogger } from './silent-logger.js';
import { anySignal, pause, whenAborted } from '../async.js';

export interface OwnedItemsOptions<K extends string | number, S, V> {
  readonly layout: OwnedItemsLayout<K, S, V>;
  readonly timing: PlacementTiming;
  /** Monotonic clock for every wait and the grace. Default: the system clock. */
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Called for every corrupt stored document found (by the leader or this node). */
  readonly onCorrupt?: (error: CorruptDocumentError) => void;
  /** Called after every placement pass this node runs as the cluster leader. */
  readonly onPass?: (report: PassReport) => void;
}

/** What one session gives the engine; without `elector` the node only follows (never places). */
export interface OwnedItemsSession {
  readonly backend: Backend;
  readonly session: Session;
  readonly elector?: ClusterElector;
  /** When this node, leading, turns maintenance mode on by itself (the node's placement.autoFreeze). Default: never. */
  readonly autoFreeze?: AutoFreeze;
  /** Live nodes that make a term's first placement go at once (the node's placement.expectedNodes). Default 0: off. */
  readonly expectedNodes?: number;
  /** The cluster's own KV (operator requests, operations/) when `backend.kv` is rooted elsewhere. Default: `backend.kv`. */
  readonly operationsKv?: Kv;
  /** This session's logger (default: the engine's). */
  readonly log?: Logger;
}

interface Running<K extends string | number, V> {
  readonly context: OwnedItemsSession;
  readonly follower: ItemFollower<K, V>;
  readonly stop: AbortController;
  leading: Promise<void>;
  clusterTerm: Leadership | null;
}

/**
 * One kind of owned item on one node.
 *
 * @example
 * const items = new OwnedItems({ layout, timing: { placementIntervalMs: 60_000, offlineGraceMs: 300_000 } });
 * items.on('acquired', (item, { fence, signal }) => work(item, fence, signal));
 * items.on('released', async (item, reason) => { await stopped(item); });
 * await items.start({ backend, session, elector });
 */
export class OwnedItems<K extends string | number, S, V> {
  readonly #o: OwnedItemsOptions<K, S, V>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #listeners: HolderListeners<[K]>;
  /** Each item's position in the layout's order. */
  readonly #order: ReadonlyMap<K, number>;
  #running: Running<K, V> | null = null;

  constructor(options: OwnedItemsOptions<K, S, V>) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? silentLogger;
    this.#listeners = new HolderListeners<[K]>(this.#log);
    this.#order = new Map(options.layout.items.map((item, index) => [item, index]));
  }

  get layout(): OwnedItemsLayout<K, S, V> {
    return this.#o.layout;
  }

  /**
   * Adds a listener for this and later sessions; returns a function that removes it.
   * `acquired(item, { token, fence, signal })`: act for the item while `signal` is live, and pass
   * `fence` to its KV writes. `released(item, reason)`: awaited before the item is given up.
   * InvalidArgumentError for an unknown event.
   */
  on(event: 'acquired', listener: AcquiredListener<[K]>): () => void;
  on(event: 'released', listener: ReleasedListener<[K]>): () => void;
  on(event: 'acquired' | 'released', listener: AcquiredListener<[K]> | ReleasedListener<[K]>): () => void {
    return this.#listeners.on(event as 'acquired', listener as AcquiredListener<[K]>);
  }

  /** Items this node holds now (judged when asked), in their layout's order; none between sessions. */
  owned(): K[] {
    const order = this.#order;
    return (this.#running?.follower.owned() ?? []).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }

  /** What this node last read of its target (null between sessions and before the first reading). */
  view(): V | null {
    return this.#running?.follower.view() ?? null;
  }

  /** The cluster leader's node id as this session's elector last saw it, or null. */
  clusterLeaderId(): string | null {
    return this.#running?.context.elector?.leader()?.nodeId ?? null;
  }

  /**
   * Starts for one session: follows the target, and places items whenever this node leads the
   * cluster. Resolves after the first reading of the target (successful or not).
   */
  async start(context: OwnedItemsSession): Promise<void> {
    if (this.#running !== null) throw new StateError(`${this.#o.layout.noun}s already run for a session; stop it first`);
    const stop = new AbortController();
    const log = context.log ?? this.#log;
    const running: Running<K, V> = {
      context,
      stop,
      clusterTerm: null,
      leading: Promise.resolve(),
      follower: new ItemFollower<K, V>({
        backend: context.backend,
        session: context.session,
        layout: this.#o.layout,
        clock: this.#clock,
        log,
        safetyNetMs: this.#o.timing.placementIntervalMs,
        leadsCluster: () => running.clusterTerm !== null && !running.clusterTerm.signal.aborted,
        acquired: (item, held) => this.#listeners.acquired(item, held),
        released: (item, reason) => this.#listeners.released(item, reason),
        ...(this.#o.onCorrupt ? { onCorrupt: this.#o.onCorrupt } : {}),
      }),
    };
    this.#running = running;
    if (context.elector !== undefined) {
      const signal = anySignal(stop.signal, context.session.lost);
      running.leading = this.#lead(running, context.elector, signal).catch((error: unknown) =>
        log.error({ err: error }, `${this.#o.layout.what} stopped unexpectedly on this node`),
      );
    }
    await running.follower.start();
  }

  /**
   * Releases every item (listeners awaited, then resigned) and stops placing. With `leave`, a
   * graceful leave: the layout marks it so the leader moves this node's items at once instead of
   * after the grace (pass false when the node means to come back, as after a lost session).
   * The session stays open (its owner closes it).
   */
  async stop(options: { readonly leave: boolean }): Promise<void> {
    const running = this.#running;
    if (running === null) return;
    this.#running = null;
    running.stop.abort();
    await running.follower.close();
    await running.leading;
    const { layout } = this.#o;
    if (!options.leave || layout.leave === undefined) return;
    try {
      await layout.leave(running.context.backend.kv, running.context.session.nodeId);
    } catch (error) {
      this.#log.warn({ err: error }, `could not mark the graceful leave; the leader moves this node's ${layout.noun}s after the offline grace`);
    }
  }

  /** 1. wait to lead the cluster; 2. run placement passes for the term; 3. again after it ends. */
  async #lead(running: Running<K, V>, elector: ClusterElector, signal: AbortSignal): Promise<void> {
    const { backend, session } = running.context;
    const log = running.context.log ?? this.#log;
    const retryMs = session.timing.retryPeriodMs;
    while (!signal.aborted) {
      let term: Leadership;
      try {
        term = await elector.whenLeader({ signal });
      } catch (error) {
        if (signal.aborted || isBatonError(error, 'CLOSED') || isBatonError(error, 'SESSION_LOST')) return;
        log.warn({ err: error }, `waiting for leadership failed; retrying in ${retryMs} ms`);
        await pause(this.#clock, retryMs, signal);
        continue;
      }
      // Leading the cluster may change what this node holds (a disabled resource: all of it).
      running.clusterTerm = term;
      running.follower.reconcile();
      const placement = new ItemPlacement<S>({
        backend,
        leadership: term,
        layout: this.#o.layout,
        timing: this.#o.timing,
        clock: this.#clock,
        log,
        nodeId: session.nodeId,
        ...(running.context.autoFreeze ? { autoFreeze: running.context.autoFreeze } : {}),
        ...(running.context.expectedNodes ? { expectedNodes: running.context.expectedNodes } : {}),
        ...(running.context.operationsKv ? { operationsKv: running.context.operationsKv } : {}),
        ...(this.#o.onCorrupt ? { onCorrupt: this.#o.onCorrupt } : {}),
        ...(this.#o.onPass ? { onPass: this.#o.onPass } : {}),
      });
      const end = await placement.run({ signal });
      // A fenced term is dead in the store; wait until the elector notices before trying again.
      if (end === 'fenced') await whenAborted(term.signal, signal);
      running.clusterTerm = null;
      running.follower.reconcile();
    }
  }
}
