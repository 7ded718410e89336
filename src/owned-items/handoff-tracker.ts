/**
 * The leader's count of items in handoff (move-throttle.ts), for one term: the items this leader
 * moved under a move limit whose new acting node does not hold them yet. Exact and cheap: it
 * reads the holder (`Backend.leader`) of the items it moved, never of every item, and watches
 * only their elections, so a completed handoff wakes the next pass at once.
 *
 * A new leader starts with none tracked: handoffs its predecessor started and that are still
 * under way are not counted, so for one leader change up to twice the caps may be in handoff.
 * Reading every item's holder at the start of a term would close that gap at the cost of
 * 10,000 reads per leader change; the caps pace bursts, safety does not rest on them
 * (the two-step handoff does).
 */
import type { Backend } from '../contract/contract.js';
import { fanOutSignal } from '../async.js';
import { isBatonError } from '../errors.js';
import type { StoredPlacement } from './place-items.js';

/**
 * Holder reads the leader makes at once when it checks its tracked items: enough to check a
 * cap of hundreds in a few round trips, few enough not to queue the leader's own session
 * renewal behind them (the same reasoning as MAX_CAMPAIGNS_IN_FLIGHT in handoff-slots.ts).
 */
const HOLDER_READS_AT_ONCE = 64;

interface Tracked {
  /** The nodes the move involves (counted against maxMovesPerNode). */
  readonly nodes: readonly string[];
  /** Ends the watch of the item's election. */
  readonly unwatch: AbortController;
}

export interface HandoffTrackerOptions {
  readonly backend: Backend;
  /** The election a node holds while it acts for the item (engine item ids: strings). */
  readonly electionOf: (item: string) => string;
  /** Asks for a pass now (a tracked item's holder changed). */
  readonly wake: () => void;
  /** The term's signal: every watch ends with it. */
  readonly signal: AbortSignal;
}

export class HandoffTracker {
  readonly #o: HandoffTrackerOptions;
  readonly #tracked = new Map<string, Tracked>();
  /** The term's signal, followed by one watch per tracked item (fanOutSignal: no listener limit). */
  readonly #term: AbortSignal;

  constructor(options: HandoffTrackerOptions) {
    this.#o = options;
    this.#term = fanOutSignal(options.signal);
  }

  /** Items in handoff as last checked, with the nodes each involves. */
  get inHandoff(): ReadonlyMap<string, readonly string[]> {
    return new Map([...this.#tracked].map(([item, t]) => [item, t.nodes]));
  }

  get size(): number {
    return this.#tracked.size;
  }

  /** Tracks the moves a pass just wrote, watching each item's election. */
  track(started: ReadonlyMap<string, readonly string[]>): void {
    for (const [item, nodes] of started) {
      this.#tracked.get(item)?.unwatch.abort();
      const unwatch = new AbortController();
      this.#tracked.set(item, { nodes, unwatch });
      const signal = AbortSignal.any([unwatch.signal, this.#term]);
      try {
        this.#o.backend.watchLeader(this.#o.electionOf(item), this.#o.wake, { signal });
      } catch {
        // A store refusing the watch now: the pass's re-check (HANDOFF_RECHECK_MS) still comes.
      }
    }
  }

  /**
   * Drops the tracked items whose handoff is over: 1. the acting node (the first live node of
   * its stored list) holds the item's election; or 2. no node of its stored list is live (a
   * vanished node's grace holds it: nothing is handed over until it returns or is reclaimed).
   */
  async settle(stored: StoredPlacement, live: ReadonlySet<string>, passSignal: AbortSignal): Promise<void> {
    const items = [...this.#tracked.keys()];
    const signal = fanOutSignal(passSignal);
    for (let i = 0; i < items.length; i += HOLDER_READS_AT_ONCE) {
      await Promise.all(items.slice(i, i + HOLDER_READS_AT_ONCE).map(async (item) => {
        const acting = (stored.assignment[item] ?? []).find((nodeId) => live.has(nodeId));
        // 2.
        if (acting === undefined) return this.#drop(item);
        // 1.
        const holder = await this.#holder(item, signal);
        if (holder === acting) this.#drop(item);
      }));
    }
  }

  /** The node holding the item's election; undefined when its record is corrupt (still in handoff: the holder repairs it when it campaigns). */
  async #holder(item: string, signal: AbortSignal): Promise<string | null | undefined> {
    try {
      return (await this.#o.backend.leader(this.#o.electionOf(item), { signal }))?.nodeId ?? null;
    } catch (error) {
      if (isBatonError(error, 'CORRUPT_DOCUMENT')) return undefined;
      throw error;
    }
  }

  /** Forgets every tracked item (the moves are no longer throttled). */
  clear(): void {
    for (const item of [...this.#tracked.keys()]) this.#drop(item);
  }

  #drop(item: string): void {
    this.#tracked.get(item)?.unwatch.abort();
    this.#tracked.delete(item);
  }
}
