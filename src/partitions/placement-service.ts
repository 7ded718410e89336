/**
 * The cluster leader's half of a partitioned resource: for the term of one Leadership, keeps the
 * stored placement (partition -> [master, ...standbys]) spread over the live nodes.
 *
 * Safety (DESIGN.md, safety model 3): every write names the term's fence, so a deposed leader's
 * write never lands. Mastership is never decided here: a node acts for a partition only while it
 * holds the partition's election (see HandoffSlots), so even a stale placement cannot make two masters.
 */
import type { Logger } from 'pino';
import type { Backend, Leadership } from '../contract/contract.js';
import { silentLogger } from '../owned-items/silent-logger.js';
import { runLeaderLoop, type LeaderLoopEnd, type PassResult } from '../owned-items/placement-loop.js';
import { OfflineGrace } from '../owned-items/offline-grace.js';
import { systemClock, type Clock } from '../clock.js';
import { StateError, type CorruptDocumentError } from '../errors.js';
import { planPlacement, nodesOf, type PlacementPlan } from './placement-plan.js';
import { placementJson, placementKey, readResource, type PlacementDoc } from './resource-layout.js';
import type { PartitionResourceOptions } from './resource-options.js';

export interface PlacementServiceOptions {
  readonly backend: Backend;
  /** The cluster-leader term this service works for; it stops when the term's signal aborts. */
  readonly leadership: Leadership;
  readonly resource: PartitionResourceOptions;
  /** Monotonic clock for the interval and the rebalance delay. Default: the system clock. */
  readonly clock?: Clock;
  readonly log?: Logger;
}

/** Why `run()` ended. */
export type PlacementServiceEnd = LeaderLoopEnd;

/**
 * Runs placement passes for one term: at once, on every membership change, when a node's
 * rebalance delay ends, and every `placementIntervalMs` as a safety net.
 *
 * @example
 * elector.whenLeader().then((leadership) => new PlacementService({ backend, leadership, resource }).run());
 */
export class PlacementService {
  readonly #backend: Backend;
  readonly #leadership: Leadership;
  readonly #resource: PartitionResourceOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #grace: OfflineGrace;
  #running = false;

  constructor(options: PlacementServiceOptions) {
    this.#backend = options.backend;
    this.#leadership = options.leadership;
    this.#resource = options.resource;
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.log ?? silentLogger).child({ term: options.leadership.term, resource: options.resource.name });
    this.#grace = new OfflineGrace(this.#clock);
  }

  /** Runs passes until the term ends or a write is fenced. Store errors are logged and retried. */
  async run(): Promise<PlacementServiceEnd> {
    if (this.#running) throw new StateError('PlacementService.run() was already called; create one service per term');
    this.#running = true;
    return runLeaderLoop({
      backend: this.#backend,
      clock: this.#clock,
      signal: this.#leadership.signal,
      intervalMs: this.#resource.placementIntervalMs,
      log: this.#log,
      what: 'partition placement',
      pass: (signal) => this.#pass(signal),
    });
  }

  /** One pass now: read members and the placement, plan, write if changed (fenced). */
  tick(): Promise<PlacementPlan> {
    return this.#pass(this.#leadership.signal);
  }

  /** One pass whose reads and writes end when `signal` aborts (the term's, or run()'s); also says which members it planned with. */
  async #pass(signal: AbortSignal): Promise<PlacementPlan & PassResult> {
    const { fence } = this.#leadership;
    this.#leadership.signal.throwIfAborted();
    signal.throwIfAborted();
    const { name, partitions } = this.#resource;
    const [members, state] = await Promise.all([
      this.#backend.members({ signal }),
      readResource(this.#backend.kv, name, partitions, (e) => this.#reportCorrupt(e), signal),
    ]);
    const live = new Set(members.map((m) => m.nodeId));
    const graceUsedMs = this.#grace.used(storedGrace(state.placement), live);
    const plan = planPlacement({ options: this.#resource, live: members, previous: state.placement, graceUsedMs });
    if (plan.changed) {
      const expectVersion = state.placementVersion;
      await this.#backend.kv.put(placementKey(name), placementJson(plan.doc), { fence, signal, ...(expectVersion === undefined ? {} : { expectVersion }) });
      this.#log.info({ inGrace: [...plan.inGrace.keys()], live: [...live] }, 'partition placement written');
    }
    return { ...plan, members };
  }

  #reportCorrupt(error: CorruptDocumentError): void {
    this.#log.warn({ key: error.key, err: error }, 'corrupt partition document; the leader rewrites the placement');
  }
}

/** The grace each node the placement names had used when it was stored (null: none). */
function storedGrace(doc: PlacementDoc | null): Map<string, number | null> {
  return new Map(doc === null ? [] : nodesOf(doc.assignment).map((nodeId) => [nodeId, doc.graceElapsedMs[nodeId] ?? null]));
}
