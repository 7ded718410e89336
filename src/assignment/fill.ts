/**
 * Step 4 of the algorithm: fill the free slots from the nodes below their ceiling, those below
 * their floor first.
 */
import { addSlot, replaceSlot } from './item-state.js';
import type { ItemState } from './item-state.js';
import { slotQueue } from './zone-queue.js';
import type { SlotQueue } from './zone-queue.js';
import type { Bounds } from './quotas.js';
import type { Plan } from './validate.js';

const NO_ZONES: readonly number[] = Object.freeze([]);

/**
 * 0. A node that must hold every item needing slots (its floor says so) is put on each first.
 * 1. Items missing the most slots go first (new items before half-kept ones), ties by item id,
 *    so the last picks, where choice is scarce, are single slots.
 * 2. Each slot goes to the node furthest below its floor, else with room below its ceiling,
 *    that is not already on the item, in a zone the item does not use yet while such a zone
 *    has room (zone-queue.ts).
 * 3. If every node with room is already on the item, shift along a chain (see `exchange`).
 * `load` is updated in place.
 */
export function fillFree(plan: Plan, states: readonly ItemState[], bounds: Bounds, load: number[]): void {
  const { floor, ceil } = bounds;
  const room = (node: number) => (ceil[node] as number) - (load[node] as number);
  // Step 4.0: a node whose floor is the number of items needing slots goes on each of them.
  const itemsWithSlots = states.filter((s) => s.need > 0).length;
  for (let node = 0; node < plan.nodes.length; node++) {
    if ((floor[node] as number) < itemsWithSlots || room(node) <= 0) continue;
    for (const state of states) {
      if (state.live.length < state.need && !state.live.includes(node)) {
        addSlot(state, node);
        load[node] = (load[node] as number) + 1;
      }
    }
  }
  // Below the floor outranks any room to the ceiling (ceil - floor is at most 1).
  const priority = load.map((l, i) => 2 * ((floor[i] as number) - l) + room(i));
  const withRoom: number[] = [];
  for (let node = 0; node < plan.nodes.length; node++) if (room(node) > 0) withRoom.push(node);
  const queue = slotQueue(plan, priority, withRoom);
  /** Books one more slot for `node`; true while it has room left. */
  const book = (node: number): boolean => {
    load[node] = (load[node] as number) + 1;
    priority[node] = (priority[node] as number) - 3;
    return room(node) > 0;
  };
  const missing = states.filter((s) => s.live.length < s.need);
  const order = missing.map((_, k) => k);
  const deficit = (k: number) => (missing[k] as ItemState).need - (missing[k] as ItemState).live.length;
  order.sort((a, b) => deficit(b) - deficit(a) || a - b);
  for (const k of order) {
    const state = missing[k] as ItemState;
    while (state.live.length < state.need) {
      const usedZones = state.live.length === 0 ? NO_ZONES : state.live.map((node) => queue.zoneOf(node));
      const node = queue.take(usedZones, state.live, book);
      if (node >= 0) addSlot(state, node);
      else exchange(plan, states, state, queue, book, load);
    }
  }
}

/**
 * Step 4.3: item `stuck` needs a slot but every node with room is already on it. Search
 * breadth-first for the shortest chain: `stuck` takes node v1 from item y1, y1 takes v2 from
 * y2, ..., yk takes a node u with room. Only u's load changes (+1); every other node keeps its
 * count. If no chain exists, the node with the least load per weight that is not on the item
 * takes the slot beyond its ceiling: balance is then best effort.
 */
function exchange(
  plan: Plan,
  states: readonly ItemState[],
  stuck: ItemState,
  queue: SlotQueue,
  book: (node: number) => boolean,
  load: number[],
): void {
  const open = queue.drain();
  const chain = findChain(plan, states, stuck, open);
  const keep = open.filter((node) => node !== chain?.u);
  if (chain && book(chain.u)) keep.push(chain.u);
  queue.restore(keep);
  if (chain) {
    // Apply from the far end: each item on the chain swaps the node it gives up for the next.
    let item = chain.end;
    let node = chain.u;
    for (let step = chain.via.get(item); step; step = chain.via.get(item)) {
      replaceSlot(item, step.give, node);
      node = step.give;
      item = step.taker;
    }
    addSlot(item, node);
    return;
  }
  let best = -1;
  for (let n = 0; n < plan.nodes.length; n++) {
    if (stuck.live.includes(n)) continue;
    const ratio = ((load[n] as number) + 1) / plan.weight(n);
    if (best < 0 || ratio < ((load[best] as number) + 1) / plan.weight(best)) best = n;
  }
  addSlot(stuck, best);
  load[best] = (load[best] as number) + 1;
}

interface Chain {
  /** The node with room that the last item takes. */
  readonly u: number;
  /** The last item of the chain. */
  readonly end: ItemState;
  /** item -> the node it gives up and the item that takes it (absent for `stuck`). */
  readonly via: ReadonlyMap<ItemState, { readonly give: number; readonly taker: ItemState }>;
}

/** The shortest chain that gives up only slots added in this run (no extra move), else any. */
function findChain(plan: Plan, states: readonly ItemState[], stuck: ItemState, open: readonly number[]): Chain | undefined {
  const onItems: ItemState[][] = Array.from({ length: plan.nodes.length }, () => []);
  for (const state of states) for (const node of state.live) onItems[node]?.push(state);
  return searchChain(plan, onItems, stuck, open, true) ?? searchChain(plan, onItems, stuck, open, false);
}

function searchChain(
  plan: Plan,
  onItems: readonly (readonly ItemState[])[],
  stuck: ItemState,
  open: readonly number[],
  addedOnly: boolean,
): Chain | undefined {
  const via = new Map<ItemState, { give: number; taker: ItemState }>();
  const seenNodes = new Set<number>();
  const queue = [stuck];
  for (let head = 0; head < queue.length; head++) {
    const item = queue[head] as ItemState;
    const u = open.find((node) => !item.live.includes(node));
    if (u !== undefined) return { u, end: item, via };
    for (let v = 0; v < plan.nodes.length; v++) {
      if (seenNodes.has(v) || item.live.includes(v)) continue;
      seenNodes.add(v);
      for (const giver of onItems[v] ?? []) {
        if (giver === stuck || via.has(giver)) continue;
        if (addedOnly && giver.live.indexOf(v) < giver.kept) continue;
        via.set(giver, { give: v, taker: item });
        queue.push(giver);
      }
    }
  }
  return undefined;
}
