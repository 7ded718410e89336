/**
 * Bookkeeping for step 7 (primaries.ts): who is primary of each open item, how many roles each
 * node has against its [floor, ceil] bounds, and the augmenting-path searches that fix bounds.
 */
import type { ItemState } from './item-state.js';
import { shareBounds } from './quotas.js';
import type { Plan } from './validate.js';

/** Primary roles of the open items, addressed by their index `k` in `open`. */
export class PrimaryRoles {
  readonly #plan: Plan;
  readonly #open: readonly ItemState[];
  readonly #floor: readonly number[];
  readonly #ceil: readonly number[];
  readonly #primary: Int32Array;
  readonly #count: Int32Array;
  /** node -> open items it is primary of; built by the first search that needs it. */
  #itemsOf: Set<number>[] | undefined;
  /** node -> open items it is on; built by the first search that needs it. */
  #onItems: number[][] | undefined;

  constructor(plan: Plan, open: readonly ItemState[]) {
    const nodes = plan.nodes.length;
    // Each item's role is shared by weight among the live nodes on it.
    const shares = new Array<number>(nodes).fill(0);
    for (const state of open) {
      let weight = 0;
      for (const node of state.live) weight += plan.weight(node);
      for (const node of state.live) shares[node] = (shares[node] as number) + plan.weight(node) / weight;
    }
    const { floor, ceil } = shareBounds(shares);
    this.#plan = plan;
    this.#open = open;
    this.#floor = floor;
    this.#ceil = ceil;
    this.#primary = new Int32Array(open.length).fill(-1);
    this.#count = new Int32Array(nodes);
  }

  belowCeil(node: number): boolean {
    return (this.#count[node] as number) < (this.#ceil[node] as number);
  }

  belowFloor(node: number): boolean {
    return (this.#count[node] as number) < (this.#floor[node] as number);
  }

  primaryOf(k: number): number {
    return this.#primary[k] as number;
  }

  set(k: number, node: number): void {
    const before = this.#primary[k] as number;
    if (before >= 0) {
      this.#count[before] = (this.#count[before] as number) - 1;
      this.#itemsOf?.[before]?.delete(k);
    }
    this.#primary[k] = node;
    this.#count[node] = (this.#count[node] as number) + 1;
    this.#itemsOf?.[node]?.add(k);
  }

  /** The node on item `k` furthest below its floor, else with most room below its ceiling; -1 if all are full. */
  bestFor(k: number): number {
    let best = -1;
    let bestKey = 0;
    for (const node of (this.#open[k] as ItemState).live) {
      if (!this.belowCeil(node)) continue;
      const count = this.#count[node] as number;
      // Below the floor ranks above any room to the ceiling (ceil - floor is at most 1).
      const key = Math.max(0, (this.#floor[node] as number) - count) * 2 + ((this.#ceil[node] as number) - count);
      if (best < 0 || key > bestKey || (key === bestKey && node < best)) {
        best = node;
        bestKey = key;
      }
    }
    return best;
  }

  /** Gives item `k` (unassigned, all its nodes at their ceiling) a role via a path to a node below its ceiling. */
  augmentUp(k: number): boolean {
    const itemsOf = this.#itemsOf ?? this.#buildItemsOf();
    // via.get(w) = [item whose role w would take, node that has it now]; null for a start node.
    const via = new Map<number, readonly [number, number] | null>();
    const queue = [...(this.#open[k] as ItemState).live];
    for (const node of queue) via.set(node, null);
    for (let head = 0; head < queue.length; head++) {
      const v = queue[head] as number;
      for (const item of itemsOf[v] ?? []) {
        for (const w of (this.#open[item] as ItemState).live) {
          if (via.has(w)) continue;
          via.set(w, [item, v]);
          if (!this.belowCeil(w)) {
            queue.push(w);
            continue;
          }
          this.set(k, this.#shift(via, w, 'up'));
          return true;
        }
      }
    }
    return false;
  }

  /** Raises `node` (below its floor) by one via a path to a node above its floor. */
  augmentDown(node: number): boolean {
    const onItems = this.#onItems ?? this.#buildOnItems();
    // via.get(x) = [item that would leave x, node that would take it].
    const via = new Map<number, readonly [number, number] | null>([[node, null]]);
    const queue = [node];
    for (let head = 0; head < queue.length; head++) {
      const t = queue[head] as number;
      for (const item of onItems[t] ?? []) {
        const x = this.#primary[item] as number;
        if (via.has(x)) continue;
        via.set(x, [item, t]);
        if ((this.#count[x] as number) > (this.#floor[x] as number)) {
          this.#shift(via, x, 'down');
          return true;
        }
        queue.push(x);
      }
    }
    return false;
  }

  /** The node on item `k` with the fewest roles per weight after taking it (ties: lower id). */
  leastLoaded(k: number): number {
    const ratio = (node: number) => ((this.#count[node] as number) + 1) / this.#plan.weight(node);
    return (this.#open[k] as ItemState).live.reduce((best, node) =>
      ratio(node) < ratio(best) || (ratio(node) === ratio(best) && node < best) ? node : best,
    );
  }

  /**
   * Applies a found path backwards from `end` and returns its start node. Up: each step
   * [item, holder] means `node` takes the item from `holder`. Down: each step [item, taker]
   * means `taker` takes the item from `node`.
   */
  #shift(via: ReadonlyMap<number, readonly [number, number] | null>, end: number, direction: 'up' | 'down'): number {
    let node = end;
    for (let step = via.get(node); step; step = via.get(node)) {
      const [item, other] = step;
      this.set(item, direction === 'up' ? node : other);
      node = other;
    }
    return node;
  }

  #buildItemsOf(): Set<number>[] {
    const itemsOf = Array.from({ length: this.#count.length }, () => new Set<number>());
    this.#primary.forEach((node, k) => {
      if (node >= 0) itemsOf[node]?.add(k);
    });
    this.#itemsOf = itemsOf;
    return itemsOf;
  }

  #buildOnItems(): number[][] {
    const onItems = Array.from({ length: this.#count.length }, (): number[] => []);
    this.#open.forEach((state, k) => {
      for (const node of state.live) onItems[node]?.push(k);
    });
    this.#onItems = onItems;
    return onItems;
  }
}
