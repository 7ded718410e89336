/**
 * Maintenance mode in the leader's placement pass (issue 19): while the stored freeze
 * (operations/maintenance.ts) is on, a pass writes nothing, so no item moves: a new node gets
 * nothing, and a vanished node keeps its slots even past its offline grace (its items wait
 * without a holder; the grace keeps counting, so once the freeze ends they move at once if it
 * is over). Buckets and partitions both place through this engine, so both freeze.
 *
 * Safety: the freeze only withholds the leader's writes of the placement. Holding is decided,
 * as always, by each item's election (HandoffSlots), so a freeze can leave an item without a
 * holder but never give it two; a deposed leader's automatic freeze is refused by its fence.
 *
 * The automatic freeze: when at least `vanishedNodes`, or at least `vanishedShare` of the
 * nodes, have vanished at once (a zone outage), the leader turns maintenance on itself before
 * moving anything, so a lost zone does not reshuffle every item onto the survivors. "At once"
 * means: vanished (named by the stored layout, not live, not a graceful leave) and not yet
 * seen by this term while a freeze was on, and not already gone when an operator last turned a
 * freeze off (the `maintenance-off` action stores who was live then, so a leader elected later
 * knows too). Nodes that vanished before or during a freeze are the operator's to judge: turning
 * the freeze off lets them move, and only nodes that vanish after that count towards the next
 * automatic freeze.
 */
import type { Logger } from 'pino';
import type { Kv, Leadership, Member } from '../contract/contract.js';
import { readActions, recordAction } from '../operations/action-log.js';
import { setMaintenance, type Maintenance, type MaintenanceReading } from '../operations/maintenance.js';
import type { AutoFreeze } from '../feature/node-config.js';
import type { StoredPlacement } from './place-items.js';

export interface PlacementFreezeOptions {
  readonly kv: Kv;
  readonly leadership: Leadership;
  /** This leader's node id: who an automatic freeze is logged as. */
  readonly nodeId: string;
  /** When the leader freezes by itself; null or both thresholds 0: never. */
  readonly autoFreeze: AutoFreeze | null;
  /** Wall clock (epoch ms) that judges the freeze's expiry and stamps an automatic one. */
  readonly wallClock: () => number;
  readonly log: Logger;
  /** What the passes write, for logs ("bucket assignment", "partition placement"). */
  readonly what: string;
}

/** A pass's verdict: frozen (write nothing) and, for a freeze with an expiry, when to look again. */
export interface FreezeVerdict {
  readonly frozen: boolean;
  readonly againInMs?: number;
}

/** The nodes the stored layout names that are neither live nor gone gracefully, sorted. */
export function vanishedNodes(stored: StoredPlacement, live: ReadonlySet<string>): string[] {
  return [...stored.graceUsedMs.keys()].filter((id) => !live.has(id) && !stored.departed.has(id)).sort();
}

/** Whether `vanished` of `total` nodes reach a threshold of `config` (0 turns a threshold off; null: never). */
export function autoFreezeDue(config: AutoFreeze | null, vanished: number, total: number): boolean {
  if (config === null || vanished === 0) return false;
  if (config.vanishedNodes > 0 && vanished >= config.vanishedNodes) return true;
  return config.vanishedShare > 0 && vanished / total >= config.vanishedShare;
}

/** One term's view of the freeze: judges every pass, and turns the freeze on when nodes vanish at once. */
export class PlacementFreeze {
  readonly #o: PlacementFreezeOptions;
  /** Whether the last judged pass was frozen (for one log line per change). */
  #frozen = false;
  /** Vanished nodes this term saw while a freeze was on: they no longer count as vanishing at once. */
  readonly #seenFrozen = new Set<string>();
  /** Whether this term has read whom the last `maintenance-off` let go (once, at its first unfrozen pass). */
  #readLetGo = false;

  constructor(options: PlacementFreezeOptions) {
    this.#o = options;
  }

  /**
   * Steps:
   * 1. Forget seen nodes that are live again or no longer stored (vanishing again counts anew).
   * 2. A freeze that is on: write nothing; look again at its expiry.
   * 3. Else (the first time enough nodes seem vanished in this term: without the ones the last
   *    `maintenance-off` let go), if enough nodes vanished at once, turn it on (fenced, compare-and-set against the
   *    version read, so a concurrent operator or resource wins and the pass reruns), record the
   *    action, and write nothing.
   */
  async judge(reading: MaintenanceReading, members: readonly Member[], stored: StoredPlacement, signal: AbortSignal): Promise<FreezeVerdict> {
    const live = new Set(members.map((m) => m.nodeId));
    const vanished = vanishedNodes(stored, live);
    // 1.
    for (const nodeId of this.#seenFrozen) if (!vanished.includes(nodeId)) this.#seenFrozen.delete(nodeId);
    // 2.
    if (reading.active && reading.maintenance !== null) {
      this.#changed(true, { ...reading.maintenance });
      this.#o.log.debug({ live: [...live], vanished }, `${this.#o.what} pass frozen: nothing written`);
      for (const nodeId of vanished) this.#seenFrozen.add(nodeId);
      const { until } = reading.maintenance;
      return until === null ? { frozen: true } : { frozen: true, againInMs: Math.max(1, Math.ceil(Date.parse(until) - this.#o.wallClock())) };
    }
    this.#changed(false, { expired: reading.maintenance !== null });
    // 3.
    if (!this.#readLetGo && autoFreezeDue(this.#o.autoFreeze, vanished.length, live.size + vanished.length)) {
      for (const nodeId of await this.#letGo(vanished, signal)) this.#seenFrozen.add(nodeId);
    }
    const fresh = vanished.filter((id) => !this.#seenFrozen.has(id));
    const total = live.size + vanished.length;
    if (!autoFreezeDue(this.#o.autoFreeze, fresh.length, total)) return { frozen: false };
    await this.#freeze(reading, fresh, total, signal);
    for (const nodeId of vanished) this.#seenFrozen.add(nodeId);
    return { frozen: true };
  }

  async #freeze(reading: MaintenanceReading, vanished: readonly string[], total: number, signal: AbortSignal): Promise<void> {
    const { kv, leadership, nodeId, wallClock, log, what } = this.#o;
    const reason = `automatic: ${vanished.length} of ${total} nodes vanished at once (${vanished.join(', ')})`;
    const maintenance: Maintenance = { reason, by: nodeId, since: new Date(wallClock()).toISOString(), until: null, auto: true };
    await setMaintenance(kv, maintenance, { fence: leadership.fence, expectVersion: reading.version, signal });
    log.warn({ vanished, total }, `${what} frozen automatically: ${reason}; \`baton maintenance off\` lets the items move`);
    this.#frozen = true;
    try {
      await recordAction(kv, { verb: 'maintenance-auto', by: nodeId, detail: { reason, vanished: [...vanished], nodes: total } }, { signal });
    } catch (error) {
      log.warn({ err: error }, 'could not record the automatic freeze in the action log; the freeze itself is stored');
    }
  }

  /**
   * The vanished nodes an operator let go before this term: gone already when the newest
   * maintenance action, a `maintenance-off`, was recorded (its `live` list does not name them).
   */
  async #letGo(vanished: readonly string[], signal: AbortSignal): Promise<string[]> {
    const last = (await readActions(this.#o.kv, { signal })).filter((a) => a.verb.startsWith('maintenance-')).at(-1);
    this.#readLetGo = true;
    const live = last?.verb === 'maintenance-off' ? last.detail.live : undefined;
    return Array.isArray(live) ? vanished.filter((id) => !live.includes(id)) : [];
  }

  /** One info line when the freeze this term sees turns on or off. */
  #changed(frozen: boolean, detail: object): void {
    if (frozen === this.#frozen) return;
    this.#frozen = frozen;
    this.#o.log.info(detail, frozen ? `${this.#o.what} frozen: maintenance mode is on; nothing moves` : `${this.#o.what} unfrozen: maintenance mode is off`);
  }
}
