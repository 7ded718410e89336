import type { Clock } from '../clock.js';

/**
 * Measures how much offline grace each vanished node has used, for one leader term.
 *
 * Grace runs on the leader's MONOTONIC clock (no wall clock is compared across machines). The
 * leader stores the grace used so far with every pass (`offline-grace`), and a new leader starts
 * counting from that stored value, so a leader change continues a grace instead of restarting
 * it. The stored value lags by at most one pass, which can only lengthen a grace, never cut it.
 */
export class OfflineGrace {
  readonly #clock: Clock;
  /** Monotonic ms at which each vanished node's grace (as continued by this term) began. */
  readonly #startedAt = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Grace used by every vanished node of `stored` (node id -> the grace it had used when last
   * stored, null if none or corrupt); forgets nodes that are live again or no longer stored.
   * Steps: 1. drop nodes now live or no longer stored; 2. start new ones at their stored
   * elapsed value (0 if none); 3. report now - start for each.
   */
  used(stored: ReadonlyMap<string, number | null>, live: ReadonlySet<string>): Map<string, number> {
    const now = this.#clock.now();
    for (const nodeId of this.#startedAt.keys()) {
      if (live.has(nodeId) || !stored.has(nodeId)) this.#startedAt.delete(nodeId);
    }
    const used = new Map<string, number>();
    for (const [nodeId, elapsed] of stored) {
      if (live.has(nodeId)) continue;
      let start = this.#startedAt.get(nodeId);
      if (start === undefined) {
        start = now - (elapsed ?? 0);
        this.#startedAt.set(nodeId, start);
      }
      used.set(nodeId, now - start);
    }
    return used;
  }
}
