/**
 * The leader's half of the owned-items engine: for the term of one cluster Leadership, keeps the
 * stored placement of one kind of item spread over the live nodes (read members and the stored
 * layout, place with the assignment engine, write with the term's fence), holding a vanished
 * node's slots for its offline grace.
 *
 * Safety (docs/safety.md rule 6): every write names the term's fence, so a deposed leader's
 * write is refused by the store itself (FencedError) and never lands; the loop then stops.
 * Ownership itself is never decided here: a node acts for an item only while it holds the
 * item's election (HandoffSlots), so even a wrong placement cannot make two holders.
 */
import type { Logger } from 'pino';
import type { Backend, Kv, Leadership } from '../contract/contract.js';
import { systemClock, type Clock } from '../clock.js';
import { isBatonError, StateError, type CorruptDocumentError } from '../errors.js';
import type { AutoFreeze } from '../feature/node-config.js';
import { OPERATIONS_PREFIX } from '../operations/operations-layout.js';
import { readMaintenance } from '../operations/maintenance.js';
import { readDrainRequests } from '../operations/drain-request.js';
import { withoutDraining } from './drain-placement.js';
import type { KvOp, OwnedItemsLayout } from './layout.js';
import { HandoffTracker } from './handoff-tracker.js';
import { throttles, type MoveLimits } from './move-throttle.js';
import { OfflineGrace } from './offline-grace.js';
import type { PlaceItemsInput, Placement, StoredPlacement } from './place-items.js';
import { PlacementMemo } from './placement-memo.js';
import { PlacementFreeze } from './placement-freeze.js';
import { runPlacementLoop, type PassResult, type PlacementLoopEnd } from './placement-loop.js';
import { SettleGate } from './settle-gate.js';
import { silentLogger } from './silent-logger.js';
import { anySignal, fanOutSignal } from '../async.js';

/**
 * The engine's timing and pacing, one vocabulary for every kind of item (each layer maps its
 * config names onto it). The move limits (move-throttle.ts): 0 or absent, no cap.
 */
export interface PlacementTiming extends MoveLimits {
  /**
   * Safety-net period of the leader's pass and of every node's re-read of its target, on their
   * monotonic clocks; membership changes and grace ends trigger a pass at once.
   */
  readonly placementIntervalMs: number;
  /**
   * How long a vanished node keeps its items before they move, on the leaders' monotonic
   * clocks, carried across leader changes in the store.
   */
  readonly offlineGraceMs: number;
}

/** What one pass did, for metrics. */
export interface PassReport {
  readonly durationMs: number;
  readonly moves: number;
  readonly writes: number;
  /** Items in handoff after the pass (tracked only under a move limit; else 0). */
  readonly inHandoff: number;
  /** Moves held back by the move limits for a later pass. */
  readonly deferred: number;
}

/**
 * While items are in handoff, the leader runs a pass at least this often (monotonic ms), in case
 * the watch of an item's election misses the holder change that ends a handoff (a watch being
 * set again, a store whose watch has a gap). 5 s: MEMBERS_RECHECK_MS's reasoning; one pass per
 * 5 s, on the leader only, and only while a throttled move is under way.
 */
export const HANDOFF_RECHECK_MS = 5_000;

export interface ItemPlacementOptions<S> {
  readonly backend: Backend;
  /** The cluster-leader term this placement works for; it stops when the term's signal aborts. */
  readonly leadership: Leadership;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the follower's types do not matter to the leader
  readonly layout: OwnedItemsLayout<any, S, unknown>;
  readonly timing: PlacementTiming;
  /** Monotonic clock for the interval and the grace. Default: the system clock. */
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly onCorrupt?: (error: CorruptDocumentError) => void;
  readonly onPass?: (report: PassReport) => void;
  /** When this leader turns maintenance mode on by itself (placement.autoFreeze). Default: never. */
  readonly autoFreeze?: AutoFreeze;
  /** Live nodes that make the term's first placement go at once (placement.expectedNodes, settle-gate.ts). Default 0: off. */
  readonly expectedNodes?: number;
  /** This leader's node id, logged as who froze placement automatically. Default: the term's session id. */
  readonly nodeId?: string;
  /** The cluster's own KV, where operator requests live (operations/), when `backend.kv` is rooted elsewhere (buckets.layout amoro). Default: `backend.kv`. */
  readonly operationsKv?: Kv;
  /** Wall clock (epoch ms) that judges a maintenance freeze's expiry (operations/maintenance.ts). Default: Date.now. */
  readonly wallClock?: () => number;
}

/**
 * One pass's placement, the writes it made and the members it planned with. A `frozen` pass
 * (maintenance mode) wrote nothing and reports the stored assignment, unchanged.
 */
export type PlacementPass = Placement & PassResult & { readonly writes: number; readonly frozen: boolean };

/**
 * Runs placement passes for one term: at once, on every membership change, when a grace ends,
 * and every `placementIntervalMs` as a safety net.
 */
export class ItemPlacement<S> {
  readonly #o: ItemPlacementOptions<S>;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #grace: OfflineGrace;
  readonly #items: readonly string[];
  /** Holds the term's first placement until the membership settles (settle-gate.ts). */
  readonly #gate: SettleGate;
  /** Items this term moved under a move limit whose new node does not hold them yet. */
  readonly #handoffs: HandoffTracker;
  /** Asks the running loop for a pass at once (a no-op outside run()). */
  #wake: () => void = () => {};
  /** Maintenance mode: a pass writes nothing while it is on (placement-freeze.ts). */
  readonly #freeze: PlacementFreeze;
  readonly #wallClock: () => number;
  readonly #operationsKv: Kv;
  /** Plans the passes; one whose input is the last one's gets the same placement (placement-memo.ts). */
  readonly #planner = new PlacementMemo();
  #waitLogged = false;
  #running = false;

  constructor(options: ItemPlacementOptions<S>) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.log ?? silentLogger).child({ term: options.leadership.term });
    this.#grace = new OfflineGrace(this.#clock);
    this.#items = options.layout.items.map(String);
    this.#gate = new SettleGate(this.#clock, { expectedNodes: options.expectedNodes ?? 0 });
    const byId = new Map(options.layout.items.map((item) => [String(item), item]));
    this.#handoffs = new HandoffTracker({
      backend: options.backend,
      electionOf: (item) => options.layout.electionOf(byId.get(item)),
      wake: () => this.#wake(),
      signal: options.leadership.signal,
    });
    this.#wallClock = options.wallClock ?? Date.now;
    this.#operationsKv = options.operationsKv ?? options.backend.kv;
    this.#freeze = new PlacementFreeze({
      kv: this.#operationsKv,
      leadership: options.leadership,
      nodeId: options.nodeId ?? options.leadership.fence.sessionId,
      autoFreeze: options.autoFreeze ?? null,
      wallClock: this.#wallClock,
      log: this.#log,
      what: options.layout.what,
    });
  }

  /**
   * Runs passes until the term ends or `signal` aborts (resolves 'term-ended') or a write is
   * fenced (resolves 'fenced'). Never rejects for store errors: they are logged and retried.
   * The first placement of the term waits until the membership has settled (SettleGate: at
   * most SETTLE_WINDOW_MS for a lone node, nothing when the stored layout's nodes are all live,
   * and no longer once `expectedNodes` nodes are live).
   */
  async run(options: { readonly signal?: AbortSignal } = {}): Promise<PlacementLoopEnd> {
    if (this.#running) throw new StateError(`${this.constructor.name}.run() was already called; create one per term`);
    this.#running = true;
    return runPlacementLoop({
      backend: this.#o.backend,
      clock: this.#clock,
      signal: anySignal(this.#o.leadership.signal, options.signal),
      intervalMs: this.#o.timing.placementIntervalMs,
      log: this.#log,
      what: this.#o.layout.what,
      // A change of any operator request (maintenance on or off, ...) wakes the loop at once.
      watchKv: [{ kv: this.#operationsKv, prefix: OPERATIONS_PREFIX }],
      pass: (signal, wake) => {
        this.#wake = wake;
        return this.#pass(signal, true);
      },
    });
  }

  /**
   * One pass now: read members, the stored layout and the maintenance freeze, place, write
   * (fenced; nothing while frozen). Rejects with the
   * term's end reason, without touching the store, if the term has already ended; with
   * FencedError if the store refuses the term. It never waits for the membership to settle.
   */
  tick(): Promise<PlacementPass> {
    this.#gate.open();
    return this.#pass(this.#o.leadership.signal, false) as Promise<PlacementPass>;
  }

  /** One pass; with `settle`, a pass while the membership has not settled yet writes nothing and says when to look again. */
  async #pass(signal: AbortSignal, settle: boolean): Promise<PlacementPass | PassResult> {
    this.#o.leadership.signal.throwIfAborted();
    signal.throwIfAborted();
    const { backend, layout, timing } = this.#o;
    const started = this.#clock.now();
    const [members, stored, maintenance, drainRequests] = await Promise.all([
      backend.members({ signal }),
      layout.readStored(backend.kv, (e) => this.#reportCorrupt(e), signal),
      readMaintenance(this.#operationsKv, { signal, wallClock: this.#wallClock }),
      readDrainRequests(this.#operationsKv, { signal }),
    ]);
    if (maintenance.corrupt) this.#reportCorrupt(maintenance.corrupt);
    const live = new Set(members.map((m) => m.nodeId));
    // Draining nodes are placed like graceful leavers: their items go to the other live nodes at once, nothing new comes to them.
    const { placing, stored: storedPlacement, draining } = withoutDraining(members, layout.storedPlacement(stored), drainRequests);
    // Counted from the term's first reading, also while the first placement waits.
    const graceUsedMs = this.#grace.used(storedPlacement.graceUsedMs, live);
    const waitMs = settle ? this.#gate.waitMs(placing, storedPlacement) : 0;
    if (waitMs > 0) {
      // One info line when the wait begins; the passes that find it still unsettled at debug.
      this.#log[this.#waitLogged ? 'debug' : 'info']({ live: [...live], waitMs }, `${layout.what} waits for the membership to settle`);
      this.#waitLogged = true;
      return { inGrace: new Map(), members, againInMs: waitMs };
    }
    const freeze = await this.#freeze.judge(maintenance, members, storedPlacement, signal);
    if (freeze.frozen) return frozenPass(members, storedPlacement, freeze.againInMs);
    const throttle = await this.#throttle(stored, storedPlacement, live, signal);
    const placement = this.#planner.place({ items: this.#items, replicas: layout.replicas, members: placing, stored: storedPlacement, graceUsedMs, offlineGraceMs: timing.offlineGraceMs, preferredPrimaries: layout.preferredPrimaries, ...throttle });
    const writes = await this.#apply(layout.writes(stored, placement), signal);
    // Tracked after the writes: the items it newly watches have their holders read after the
    // watch began (handoff-tracker.ts), so a handoff that completed meanwhile is seen either way.
    if (throttle.throttle) await this.#handoffs.track(placement.started, placement.assignment, live, signal);
    const { deferred } = placement;
    const inHandoff = this.#handoffs.size;
    this.#o.onPass?.({ durationMs: this.#clock.now() - started, moves: placement.moves, writes, inHandoff, deferred });
    if (writes > 0) {
      this.#log.info(
        { moves: placement.moves, writes, reclaimed: placement.reclaimed, inGrace: [...placement.inGrace.keys()], live: [...live], ...(draining.size > 0 ? { draining: [...draining] } : {}), ...(throttle.throttle ? { inHandoff, deferred } : {}) },
        `${layout.what} written`,
      );
    }
    return { ...placement, members, writes, frozen: false, ...(inHandoff > 0 ? { againInMs: HANDOFF_RECHECK_MS } : {}) };
  }

  /**
   * The move limits for this pass, after dropping the tracked handoffs that are over; none when
   * the timing sets no cap or the layout's nodes do not hold by the placement (a disabled
   * resource: a move hands nothing over).
   */
  async #throttle(stored: S, storedPlacement: StoredPlacement, live: ReadonlySet<string>, signal: AbortSignal): Promise<Pick<PlaceItemsInput, 'throttle'>> {
    const { timing, layout } = this.#o;
    if (!throttles(timing) || layout.followsPlacement?.(stored) === false) {
      this.#handoffs.clear();
      return {};
    }
    await this.#handoffs.settle(storedPlacement.assignment, live, signal);
    return { throttle: { limits: timing, inHandoff: this.#handoffs.inHandoff } };
  }

  /**
   * Writes the phases in order, each write fenced; returns how many writes were made. A phase's
   * writes go out together (each names its own key, so none depends on another's outcome): a
   * phase of one write per node then costs one round trip, not one per node, also when the
   * leader's own campaigns queue every statement behind them (measured: 10 nodes x 10,000
   * buckets on PostgreSQL, the last node read its target 15 s after the first). The next phase
   * starts only once every write of this one succeeded; a write that fails fails the pass (the
   * next pass reads what was written and finishes), as it did one write at a time.
   */
  async #apply(phases: readonly (readonly KvOp[])[], signal: AbortSignal): Promise<number> {
    const { kv } = this.#o.backend;
    const { fence } = this.#o.leadership;
    const versions = new Map<string, number>();
    const expect = (op: KvOp) => (versions.has(op.key) ? versions.get(op.key) : op.expect);
    let count = 0;
    // One listener per write in flight: a phase of one write per node is a fan-out, not a leak.
    const writes = fanOutSignal(signal);
    try {
      for (const phase of phases) {
        const written = await Promise.allSettled(
          phase.map(async (op) => {
            const expectVersion = expect(op);
            const options = { fence, signal: writes, ...(expectVersion === undefined ? {} : { expectVersion }) };
            if (op.kind === 'put') versions.set(op.key, await kv.put(op.key, op.value, options));
            else await kv.delete(op.key, options as typeof options & { expectVersion?: number });
          }),
        );
        const failed = written.filter((w): w is PromiseRejectedResult => w.status === 'rejected').map((w) => w.reason as unknown);
        // A fenced write ends the term's loop; it outranks a conflict or an outage of another write.
        if (failed.length > 0) throw failed.find((e) => isBatonError(e, 'FENCED')) ?? failed[0];
        count += phase.length;
      }
    } finally {
      writes.dispose();
    }
    return count;
  }

  #reportCorrupt(error: CorruptDocumentError): void {
    this.#log.warn({ key: error.key, err: error }, `corrupt ${this.#o.layout.noun} document; the leader rewrites it`);
    this.#o.onCorrupt?.(error);
  }
}

/** A pass under maintenance mode: nothing written, the stored assignment as it is, no grace wake-ups (the freeze's expiry or change wakes the loop). */
function frozenPass(members: PlacementPass['members'], stored: StoredPlacement, againInMs: number | undefined): PlacementPass {
  const live = members.map((m) => m.nodeId);
  return {
    live,
    assignment: stored.assignment,
    inGrace: new Map(),
    graceUsedMs: new Map(),
    reclaimed: [],
    moves: 0,
    started: new Map(),
    deferred: 0,
    members,
    writes: 0,
    frozen: true,
    ...(againInMs === undefined ? {} : { againInMs }),
  };
}
