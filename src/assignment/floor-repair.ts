/**
 * Step 5 of the algorithm: lift every node still below its floor (a joiner whose share the free
 * slots did not cover) by taking slots from nodes above their floor.
 */
import { replaceSlot } from './item-state.js';
import type { ItemState } from './item-state.js';
import type { Bounds } from './quotas.js';
import type { Plan } from './validate.js';

/**
 * For each node below its floor (in id order), one slot at a time:
 * 1. Direct take: an item without the node, held by a node above its floor. Cheapest first: an
 *    item that stored this node (no move at all), then one whose holder was itself added in
 *    this run (a move replaced by a move), then any (one extra move); ties by item id.
 * 2. Otherwise a chain: the node takes an item from a node at its floor, which takes one from
 *    another, ... until a node above its floor gives one up (breadth-first, shortest first).
 * Such a take always exists while some node is below its floor, because loads within the
 * bounds are reachable (quotas.ts). `load` is updated in place.
 */
export function raiseFloors(plan: Plan, states: readonly ItemState[], bounds: Bounds, load: number[]): void {
  const below = (node: number) => (load[node] as number) < (bounds.floor[node] as number);
  const above = (node: number) => (load[node] as number) > (bounds.floor[node] as number);
  let search: TakeSearch | undefined;
  for (let node = 0; node < plan.nodes.length; node++) {
    if (!below(node)) continue;
    search ??= new TakeSearch(plan, states, above);
    let cursor = 0;
    while (below(node)) {
      const take = search.direct(node, cursor) ?? chainTake(plan, states, node, above, load);
      if (!take) break;
      if (take === true) continue;
      cursor = take.cursor;
      replaceSlot(take.state, take.giver, node);
      search.noteAdded(take.state);
      load[take.giver] = (load[take.giver] as number) - 1;
      load[node] = (load[node] as number) + 1;
    }
  }
}

interface DirectTake {
  readonly state: ItemState;
  readonly giver: number;
  /** Where the cost-2 scan of this node may resume: items before it can never serve again. */
  readonly cursor: number;
}

/** Step 5.1, with indexes so that each take does not rescan every item. */
class TakeSearch {
  readonly #states: readonly ItemState[];
  readonly #above: (node: number) => boolean;
  /** node -> items that stored it but do not hold it now (cost 0). */
  readonly #dropped = new Map<number, ItemState[]>();
  /** Items holding a slot added in this run (cost 1). */
  readonly #added: ItemState[] = [];

  constructor(plan: Plan, states: readonly ItemState[], above: (node: number) => boolean) {
    this.#states = states;
    this.#above = above;
    for (const state of states) {
      if (state.live.length > state.kept) this.#added.push(state);
      for (const id of state.stored) {
        const node = plan.indexOf.get(id);
        if (node === undefined || state.live.includes(node)) continue;
        const list = this.#dropped.get(node);
        if (list) list.push(state);
        else this.#dropped.set(node, [state]);
      }
    }
  }

  noteAdded(state: ItemState): void {
    if (!this.#added.includes(state)) this.#added.push(state);
  }

  /** The cheapest direct take for `node`, scanning for cost 2 from `cursor`; undefined if none. */
  direct(node: number, cursor: number): DirectTake | undefined {
    for (const state of this.#dropped.get(node) ?? []) {
      const giver = this.#giver(state, node, 0);
      if (giver >= 0) return { state, giver, cursor };
    }
    for (const state of this.#added) {
      const giver = this.#giver(state, node, state.kept);
      if (giver >= 0) return { state, giver, cursor };
    }
    // Loads only fall for givers and only rise for `node`, so an item that cannot serve now
    // never will: the scan resumes where it stopped.
    for (let k = cursor; k < this.#states.length; k++) {
      const state = this.#states[k] as ItemState;
      const giver = this.#giver(state, node, 0);
      if (giver >= 0) return { state, giver, cursor: k };
    }
    return undefined;
  }

  /** A node above its floor at place `from` or later of the item, if the item lacks `node`. */
  #giver(state: ItemState, node: number, from: number): number {
    if (state.live.includes(node)) return -1;
    for (let at = from; at < state.live.length; at++) {
      const giver = state.live[at] as number;
      if (this.#above(giver)) return giver;
    }
    return -1;
  }
}

/** Step 5.2: applies a chain and returns true, or returns undefined when there is none. */
function chainTake(plan: Plan, states: readonly ItemState[], start: number, above: (n: number) => boolean, load: number[]): true | undefined {
  // via.get(x) = the item x would give up and the node that would take it.
  const via = new Map<number, { state: ItemState; taker: number } | null>([[start, null]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const taker = queue[head] as number;
    for (const state of states) {
      if (state.live.includes(taker)) continue;
      for (const giver of state.live) {
        if (via.has(giver)) continue;
        via.set(giver, { state, taker });
        if (!above(giver)) {
          queue.push(giver);
          continue;
        }
        // Apply from the giver back to the start: each node hands its item to the next.
        load[giver] = (load[giver] as number) - 1;
        load[start] = (load[start] as number) + 1;
        for (let node = giver, step = via.get(node); step; node = step.taker, step = via.get(node)) {
          replaceSlot(step.state, node, step.taker);
        }
        return true;
      }
    }
  }
  return undefined;
}
