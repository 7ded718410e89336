/**
 * Steps 3-4 of the algorithm: keep stored slots up to each node's quota, then fill the free
 * slots from the nodes still below their quota.
 */
import type { ItemState } from './item-state.js';
import { NodeHeap } from './node-heap.js';
import type { Plan } from './validate.js';

/**
 * Step 3 (keep): keep as many stored slots as the quotas allow, and drop the rest where the
 * fill can best use the room.
 * 1. Candidates: each item's live holders in stored order, at most its `need` first ones.
 * 2. A node with more candidates than its quota drops the excess, choosing (nodes in id order)
 *    the items that have lost the fewest slots so far, then its standby slots before its
 *    primary ones, then lower item ids. Freed slots thus land on different items, where one
 *    node (a joiner, say) can take them all without ever being asked to hold an item twice.
 * 3. Each item's list is rebuilt in stored order: grace nodes in place, kept live holders.
 * Returns each node's load.
 */
export function keepStored(plan: Plan, states: readonly ItemState[], quota: readonly number[]): number[] {
  // Step 3.1.
  const candidates = states.map((state) => {
    const held: number[] = [];
    for (const id of state.stored) {
      const node = plan.indexOf.get(id);
      if (node !== undefined && held.length < state.need) held.push(node);
    }
    return held;
  });
  // Step 3.2.
  const load = new Array<number>(plan.nodes.length).fill(0);
  for (const held of candidates) for (const node of held) load[node] = (load[node] as number) + 1;
  const dropped = dropExcess(plan, states, candidates, quota, load);
  // Step 3.3.
  states.forEach((state, k) => {
    const keep = candidates[k] as number[];
    const drop = dropped.get(k);
    for (const id of state.stored) {
      const node = plan.indexOf.get(id);
      if (node === undefined) {
        if (plan.grace.has(id)) state.ids.push(id);
      } else if (keep.includes(node) && !drop?.includes(node)) {
        state.ids.push(id);
        state.live.push(node);
      }
    }
    state.kept = state.live.length;
  });
  return load;
}

/** Step 3.2: item index -> nodes dropped from it. Lowers `load` to the quotas. */
function dropExcess(
  plan: Plan,
  states: readonly ItemState[],
  candidates: readonly (readonly number[])[],
  quota: readonly number[],
  load: number[],
): Map<number, number[]> {
  const over: number[] = [];
  for (let node = 0; node < plan.nodes.length; node++) if ((load[node] as number) > (quota[node] as number)) over.push(node);
  const dropped = new Map<number, number[]>();
  if (over.length === 0) return dropped;
  // Slots each item is short of: stored holders missing now, plus drops so far.
  const short = states.map((state, k) => state.need - (candidates[k] as readonly number[]).length);
  const itemsOf = new Map<number, { item: number; position: number }[]>(over.map((node) => [node, []]));
  candidates.forEach((held, item) => held.forEach((node, position) => itemsOf.get(node)?.push({ item, position })));
  for (const node of over) {
    const slots = itemsOf.get(node) as { item: number; position: number }[];
    slots.sort((a, b) => (short[a.item] as number) - (short[b.item] as number) || b.position - a.position || a.item - b.item);
    const excess = (load[node] as number) - (quota[node] as number);
    for (const { item } of slots.slice(0, excess)) {
      short[item] = (short[item] as number) + 1;
      const list = dropped.get(item);
      if (list) list.push(node);
      else dropped.set(item, [node]);
    }
    load[node] = quota[node] as number;
  }
  return dropped;
}

/**
 * Step 4 (fill): give every missing live slot to a node below its quota.
 * 1. Items missing the most slots go first (new items before half-kept ones), ties by item id,
 *    so the last picks, where choice is scarce, are single slots.
 * 2. Each slot goes to the node furthest below its quota that is not already on the item,
 *    preferring a node whose zone the item does not use yet when such a node is still open.
 * 3. If every node with room is already on the item, repair by exchange (see `exchange`).
 * `load` is updated in place.
 */
export function fillFree(plan: Plan, states: readonly ItemState[], quota: readonly number[], load: number[]): void {
  const remaining = quota.map((q, i) => q - (load[i] as number));
  const heap = new NodeHeap(remaining);
  // Zones that still have a node with room, and how many such nodes each has.
  const openInZone = new Map<string, number>();
  for (let i = 0; i < plan.nodes.length; i++) {
    if ((remaining[i] as number) <= 0) continue;
    heap.push(i);
    const zone = plan.zone(i);
    openInZone.set(zone, (openInZone.get(zone) ?? 0) + 1);
  }
  const take = (node: number) => {
    remaining[node] = (remaining[node] as number) - 1;
    load[node] = (load[node] as number) + 1;
    if ((remaining[node] as number) > 0) heap.push(node);
    else {
      const zone = plan.zone(node);
      const open = (openInZone.get(zone) as number) - 1;
      if (open === 0) openInZone.delete(zone);
      else openInZone.set(zone, open);
    }
  };
  const missing = states.filter((s) => s.live.length < s.need);
  const order = missing.map((_, k) => k);
  const deficit = (k: number) => (missing[k] as ItemState).need - (missing[k] as ItemState).live.length;
  order.sort((a, b) => deficit(b) - deficit(a) || a - b);
  for (const k of order) {
    const state = missing[k] as ItemState;
    while (state.live.length < state.need) {
      const node = pick(plan, state, heap, openInZone);
      if (node >= 0) {
        addSlot(plan, state, node);
        take(node);
      } else {
        exchange(plan, states, state, heap, take, load);
      }
    }
  }
}

/** Step 4.2: the chosen node, or -1 when every node with room is already on the item. */
function pick(plan: Plan, state: ItemState, heap: NodeHeap, openInZone: ReadonlyMap<string, number>): number {
  const zones = state.live.map((n) => plan.zone(n));
  const openUsed = new Set(zones.filter((z) => openInZone.has(z))).size;
  // A node in a zone the item does not use exists only if some open zone is unused.
  const wantNewZone = openUsed < openInZone.size;
  const popped: number[] = [];
  let choice = -1;
  let fallback = -1;
  for (let node = heap.pop(); node >= 0; node = heap.pop()) {
    popped.push(node);
    if (state.live.includes(node)) continue;
    if (!wantNewZone || !zones.includes(plan.zone(node))) {
      choice = node;
      break;
    }
    if (fallback < 0) fallback = node;
  }
  if (choice < 0) choice = fallback;
  for (const node of popped) if (node !== choice) heap.push(node);
  return choice;
}

/**
 * Step 4.3: item `stuck` needs a slot but every node with room is already on it. Search
 * breadth-first for the shortest chain: `stuck` takes node v1 from item y1, y1 takes v2 from
 * y2, ..., yk takes a node u with room. Only u's load changes (+1), as intended; every other
 * node keeps its count. Such a chain exists whenever the quotas can be met. If none exists,
 * the node with the least load per weight that is not on the item takes the slot beyond its
 * quota: balance is then best effort.
 */
function exchange(plan: Plan, states: readonly ItemState[], stuck: ItemState, heap: NodeHeap, take: (node: number) => void, load: number[]): void {
  const open: number[] = [];
  for (let node = heap.pop(); node >= 0; node = heap.pop()) open.push(node);
  const chain = findChain(plan, states, stuck, open);
  for (const node of open) if (node !== chain?.u) heap.push(node);
  if (chain) {
    // Apply from the far end: each item on the chain swaps the node it gives up for the next.
    let item = chain.end;
    let node = chain.u;
    for (let step = chain.via.get(item); step; step = chain.via.get(item)) {
      replaceSlot(plan, item, step.give, node);
      node = step.give;
      item = step.taker;
    }
    addSlot(plan, item, node);
    take(chain.u);
    return;
  }
  let best = -1;
  for (let n = 0; n < plan.nodes.length; n++) {
    if (stuck.live.includes(n)) continue;
    const ratio = ((load[n] as number) + 1) / plan.weight(n);
    if (best < 0 || ratio < ((load[best] as number) + 1) / plan.weight(best)) best = n;
  }
  addSlot(plan, stuck, best);
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

function findChain(plan: Plan, states: readonly ItemState[], stuck: ItemState, open: readonly number[]): Chain | undefined {
  const onItems: ItemState[][] = Array.from({ length: plan.nodes.length }, () => []);
  for (const state of states) for (const node of state.live) onItems[node]?.push(state);
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
        via.set(giver, { give: v, taker: item });
        queue.push(giver);
      }
    }
  }
  return undefined;
}

function addSlot(plan: Plan, state: ItemState, node: number): void {
  state.ids.push(plan.id(node));
  state.live.push(node);
}

function replaceSlot(plan: Plan, state: ItemState, from: number, to: number): void {
  const id = plan.id(from);
  state.ids[state.ids.indexOf(id)] = plan.id(to);
  // `to` is a move: if `from` was a kept slot, shrink the kept prefix past its place first.
  let at = state.live.indexOf(from);
  if (at < state.kept) {
    const last = state.kept - 1;
    state.live[at] = state.live[last] as number;
    state.live[last] = from;
    state.kept = last;
    at = last;
  }
  state.live[at] = to;
}
