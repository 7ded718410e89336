/**
 * The cluster leader's half of a partitioned resource: for the term of one Leadership, keeps the
 * stored placement (partition -> [master, ...standbys]) spread over the live nodes.
 *
 * Safety (DESIGN.md, safety model 3): every write names the term's fence, so a deposed leader's
 * write never lands. Mastership is never decided here: a node acts for a partition only while it
 * holds the partition's election (see LeadSlots), so even a stale placement cannot make two masters.
 */
import type { Logger } from 'pino';
import type { Backend, Leadership } from '../backend/contract.js';
import { OfflineGrace } from '../buckets/offline-grace.js';
import type { NodeRecord } from '../buckets/assignment-layout.js';
import { RETRY_AFTER_ERROR_MS } from '../buckets/assign-service.js';
import { silentLogger } from '../buckets/silent-logger.js';
import { Wakeup } from '../buckets/wakeup.js';
import { systemClock, type Clock } from '../clock.js';
import { StateError, isBatonError, type CorruptDocumentError } from '../errors.js';
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
export type PlacementServiceEnd = 'term-ended' | 'fenced';

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
    const done = new AbortController();
    const signal = AbortSignal.any([this.#leadership.signal, done.signal]);
    try {
      return await this.#loop(signal);
    } finally {
      done.abort();
    }
  }

  async #loop(signal: AbortSignal): Promise<PlacementServiceEnd> {
    const wakeup = new Wakeup(this.#clock);
    // 1. A membership change wakes the loop at once; the first pass runs at once.
    let watching = this.#watchMembers(wakeup, signal);
    wakeup.fire();
    let delay = this.#resource.placementIntervalMs;
    while (!signal.aborted) {
      await wakeup.wait(delay, signal);
      if (signal.aborted) break;
      watching ||= this.#watchMembers(wakeup, signal);
      try {
        // 2. The next pass comes when the nearest rebalance delay ends, or after the interval.
        const plan = await this.tick();
        delay = Math.min(this.#resource.placementIntervalMs, ...plan.inGrace.values());
      } catch (error) {
        if (signal.aborted) break;
        if (isBatonError(error, 'FENCED')) {
          this.#log.warn({ err: error }, 'placement write fenced: this leader was deposed; stopping');
          return 'fenced';
        }
        // 3. A version conflict: the placement changed under the pass; read it again at once.
        if (isBatonError(error, 'VERSION_CONFLICT')) wakeup.fire();
        else {
          this.#log.warn({ err: error }, `placement pass failed; retrying in ${RETRY_AFTER_ERROR_MS} ms`);
          delay = RETRY_AFTER_ERROR_MS;
        }
      }
    }
    return 'term-ended';
  }

  /** Registers the membership watch; false (logged) when the store refuses it for now. */
  #watchMembers(wakeup: Wakeup, signal: AbortSignal): boolean {
    if (signal.aborted) return false;
    try {
      this.#backend.watchMembers(() => wakeup.fire(), { signal });
      return true;
    } catch (error) {
      this.#log.warn({ err: error }, 'cannot watch the members; placement passes run on the interval until it works');
      return false;
    }
  }

  /** One pass now: read members and the placement, plan, write if changed (fenced). */
  async tick(): Promise<PlacementPlan> {
    const { signal, fence } = this.#leadership;
    signal.throwIfAborted();
    const { name, partitions } = this.#resource;
    const [members, state] = await Promise.all([
      this.#backend.members({ signal }),
      readResource(this.#backend.kv, name, partitions, (e) => this.#reportCorrupt(e), signal),
    ]);
    const live = new Set(members.map((m) => m.nodeId));
    const graceUsedMs = this.#grace.used(graceTable(state.placement), live);
    const plan = planPlacement({ options: this.#resource, live: members, previous: state.placement, graceUsedMs });
    if (plan.changed) {
      const expectVersion = state.placementVersion;
      await this.#backend.kv.put(placementKey(name), placementJson(plan.doc), { fence, signal, ...(expectVersion === undefined ? {} : { expectVersion }) });
      this.#log.info({ inGrace: [...plan.inGrace.keys()], live: [...live] }, 'partition placement written');
    }
    return plan;
  }

  #reportCorrupt(error: CorruptDocumentError): void {
    this.#log.warn({ key: error.key, err: error }, 'corrupt partition document; the leader rewrites the placement');
  }
}

/** The stored grace of every node the placement names, in the shape OfflineGrace reads. */
function graceTable(doc: PlacementDoc | null): Map<string, NodeRecord> {
  const table = new Map<string, NodeRecord>();
  if (doc === null) return table;
  for (const nodeId of nodesOf(doc.assignment)) {
    const elapsed = doc.graceElapsedMs[nodeId];
    table.set(nodeId, {
      nodeId,
      assignments: null,
      lastUpdateTime: null,
      graceElapsedMs: elapsed === undefined ? null : { value: elapsed, version: 0 },
    });
  }
  return table;
}
