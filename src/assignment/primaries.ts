/**
 * Step 5 of the algorithm: choose each item's primary among its live nodes so that primaries are
 * spread by weight too, by swapping roles inside an item's replica set (never by moving a slot).
 */
import type { ItemState } from './item-state.js';
import { quotas } from './quotas.js';
import type { Plan } from './validate.js';

/**
 * Picks the primary of every item whose primary position is not frozen and that has a live
 * node, then moves it to position 0 of the item's list (swapping with whoever was there).
 * 1. Primary quotas: the weighted share of these items, capped per node by the number of them
 *    it holds; remainders favour nodes that are primary of more of them today.
 * 2. Keep the stored primary while it is on the item and below its primary quota.
 * 3. Every other item takes the node on it furthest below its primary quota (ties: lower id).
 * 4. If all nodes on the item are at their quota, shift along an augmenting path: the item takes
 *    a full node v1, one of v1's items hands its primary role to its node v2, ... until a node
 *    below its quota is reached (breadth-first, so the shortest path). Without a path the least
 *    loaded node on the item (by weight) takes it: best effort.
 */
export function choosePrimaries(plan: Plan, states: readonly ItemState[]): void {
  const open = states.filter((s) => !s.frozenPrimary && s.live.length > 0);
  const roles = new Roles(plan, open);
  // Step 2.
  const rest: number[] = [];
  open.forEach((state, k) => {
    const p = state.previousPrimary;
    if (state.live.includes(p) && roles.room(p) > 0) roles.set(k, p);
    else rest.push(k);
  });
  // Steps 3-4.
  for (const k of rest) {
    const live = (open[k] as ItemState).live;
    let best = -1;
    for (const node of live) {
      const room = roles.room(node);
      if (room > 0 && (best < 0 || room > roles.room(best) || (room === roles.room(best) && node < best))) best = node;
    }
    if (best < 0 && !roles.augment(k)) best = roles.leastLoaded(k);
    if (best >= 0) roles.set(k, best);
  }
  open.forEach((state, k) => toFront(state, plan.id(roles.primaryOf(k))));
}

/** Who is primary of each open item (by its index in `open`), and counts per node. */
class Roles {
  readonly #plan: Plan;
  readonly #open: readonly ItemState[];
  readonly #quota: readonly number[];
  readonly #primary: Int32Array;
  readonly #count: Int32Array;
  /** node -> open items it is primary of; built on the first augmenting search only. */
  #itemsOf: Set<number>[] | undefined;

  constructor(plan: Plan, open: readonly ItemState[]) {
    const nodes = plan.nodes.length;
    const caps = new Array<number>(nodes).fill(0);
    const today = new Array<number>(nodes).fill(0);
    for (const state of open) {
      for (const node of state.live) caps[node] = (caps[node] as number) + 1;
      const p = state.previousPrimary;
      if (state.live.includes(p)) today[p] = (today[p] as number) + 1;
    }
    const weights = plan.nodes.map((n) => n.weight);
    this.#plan = plan;
    this.#open = open;
    this.#quota = quotas(open.length, weights, caps, today).quota;
    this.#primary = new Int32Array(open.length).fill(-1);
    this.#count = new Int32Array(nodes);
  }

  room(node: number): number {
    return (this.#quota[node] as number) - (this.#count[node] as number);
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

  /** Step 4: a shortest augmenting path from item `k` to a node with room; false if none. */
  augment(k: number): boolean {
    const itemsOf = this.#itemsOf ?? this.#buildItemsOf();
    // via.get(w) = [item whose primary role w would take, node that holds it now].
    const via = new Map<number, [number, number] | null>();
    const queue: number[] = [];
    for (const node of (this.#open[k] as ItemState).live) {
      via.set(node, null);
      queue.push(node);
    }
    for (let head = 0; head < queue.length; head++) {
      const v = queue[head] as number;
      for (const item of itemsOf[v] ?? []) {
        for (const w of (this.#open[item] as ItemState).live) {
          if (via.has(w)) continue;
          via.set(w, [item, v]);
          if (this.room(w) <= 0) {
            queue.push(w);
            continue;
          }
          // Walk back: each item on the path passes its role one step forward.
          let node = w;
          for (let step = via.get(node); step; step = via.get(node)) {
            this.set(step[0], node);
            node = step[1];
          }
          this.set(k, node);
          return true;
        }
      }
    }
    return false;
  }

  /** The node on item `k` with the fewest primaries per weight after taking it (ties: lower id). */
  leastLoaded(k: number): number {
    const ratio = (node: number) => ((this.#count[node] as number) + 1) / this.#plan.weight(node);
    return (this.#open[k] as ItemState).live.reduce((best, node) =>
      ratio(node) < ratio(best) || (ratio(node) === ratio(best) && node < best) ? node : best,
    );
  }

  #buildItemsOf(): Set<number>[] {
    const itemsOf = Array.from({ length: this.#count.length }, () => new Set<number>());
    this.#primary.forEach((node, k) => {
      if (node >= 0) itemsOf[node]?.add(k);
    });
    this.#itemsOf = itemsOf;
    return itemsOf;
  }
}

function toFront(state: ItemState, id: string): void {
  const at = state.ids.indexOf(id);
  if (at <= 0) return;
  state.ids[at] = state.ids[0] as string;
  state.ids[0] = id;
}
