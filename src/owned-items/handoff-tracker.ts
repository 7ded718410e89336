/**
 * The leader's count of items in handoff (move-throttle.ts), for one term: the items this leader
 * moved under a move limit whose new acting node does not hold them yet. Exact and cheap: it
 * reads the holder (`Backend.leader`) of the items it moved, never of every item, and watches
 * the elections of a few of them (WATCHED_HANDOFFS), so a completed handoff wakes the next pass
 * at once; that pass reads the holders of all of them.
 *
 * A new leader starts with none tracked: handoffs its predecessor started and that are still
 * under way are not counted, so for one leader change up to twice the caps may be in handoff.
 * Reading every item's holder at the start of a term would close that gap at the cost of
 * 10,000 reads per leader change; the caps pace bursts, safety does not rest on them
 * (the two-step handoff does).
 */
import type { Backend } from '../contract/contract.js';
import { anySignal, fanOutSignal } from '../async.js';
import { isBatonError } from '../errors.js';
import type { Assignment } from '../assignment/index.js';

/**
 * Holder reads the leader makes at once when it checks its tracked items: enough to check a
 * cap of hundreds in a few round trips, few enough not to queue the leader's own session
 * renewal behind them (the same reasoning as MAX_CAMPAIGNS_IN_FLIGHT in item-campaigns.ts).
 */
const HOLDER_READS_AT_ONCE = 64;

/**
 * Items in handoff whose elections the leader watches at once (the oldest first). A SQL store's
 * watch is a poll of its own, re-run on every change the cluster announces, so watching all of
 * them cost cap x changes reads: measured with 10,000 buckets and a cap of 500 on PostgreSQL,
 * the leader's own reads queued behind them and no pass ran for minutes. The moves of one pass
 * complete at about the same time, so the first completion among a few wakes the pass that
 * checks them all; 16 bounds the polling to 16 reads per change.
 */
const WATCHED_HANDOFFS = 16;

interface Tracked {
  /** The nodes the move involves (counted against maxMovesPerNode). */
  readonly nodes: readonly string[];
  /** Ends the watch of the item's election (null: not watched). */
  unwatch: AbortController | null;
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

  /**
   * Tracks the moves a pass just wrote (`assignment`: what it wrote), and watches the oldest
   * tracked items (see `settle`).
   */
  async track(started: ReadonlyMap<string, readonly string[]>, assignment: Assignment, live: ReadonlySet<string>, signal: AbortSignal): Promise<void> {
    for (const [item, nodes] of started) {
      this.#tracked.get(item)?.unwatch?.abort();
      this.#tracked.set(item, { nodes, unwatch: null });
    }
    await this.#watchAndCheck(assignment, live, signal);
  }

  /**
   * Steps:
   * 1. Drops the tracked items whose handoff is over: the acting node (the first live node of
   *    its stored list) holds the item's election; or no node of its stored list is live (a
   *    vanished node's grace holds it: nothing is handed over until it returns or is reclaimed).
   * 2. Watches the oldest WATCHED_HANDOFFS tracked items, each holder read again after its watch
   *    began (a handoff that completed before would wake nobody), until none is newly watched.
   */
  async settle(assignment: Assignment, live: ReadonlySet<string>, signal: AbortSignal): Promise<void> {
    // 1.
    await this.#check([...this.#tracked.keys()], assignment, live, signal);
    // 2.
    await this.#watchAndCheck(assignment, live, signal);
  }

  async #watchAndCheck(assignment: Assignment, live: ReadonlySet<string>, signal: AbortSignal): Promise<void> {
    for (let fresh = this.#watch(); fresh.length > 0; fresh = this.#watch()) await this.#check(fresh, assignment, live, signal);
  }

  /** Watches the elections of the oldest WATCHED_HANDOFFS tracked items; returns those newly watched. */
  #watch(): string[] {
    const fresh: string[] = [];
    let watched = 0;
    for (const [item, tracked] of this.#tracked) {
      if (watched >= WATCHED_HANDOFFS || this.#term.aborted) break;
      watched++;
      if (tracked.unwatch !== null) continue;
      tracked.unwatch = new AbortController();
      fresh.push(item);
      try {
        this.#o.backend.watchLeader(this.#o.electionOf(item), this.#o.wake, { signal: anySignal(tracked.unwatch.signal, this.#term) });
      } catch {
        // A store refusing the watch now: the pass's re-check (HANDOFF_RECHECK_MS) still comes.
      }
    }
    return fresh;
  }

  /** Step 1 for `items`, reading HOLDER_READS_AT_ONCE holders at a time. */
  async #check(items: readonly string[], assignment: Assignment, live: ReadonlySet<string>, passSignal: AbortSignal): Promise<void> {
    const signal = fanOutSignal(passSignal);
    try {
      for (let i = 0; i < items.length; i += HOLDER_READS_AT_ONCE) {
        await Promise.all(items.slice(i, i + HOLDER_READS_AT_ONCE).map(async (item) => {
          const acting = (assignment[item] ?? []).find((nodeId) => live.has(nodeId));
          if (acting === undefined || (await this.#holder(item, signal)) === acting) this.#drop(item);
        }));
      }
    } finally {
      signal.dispose();
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
    this.#tracked.get(item)?.unwatch?.abort();
    this.#tracked.delete(item);
  }
}
