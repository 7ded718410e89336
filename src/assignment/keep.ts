/**
 * Step 3 of the algorithm: keep as many stored slots as the bounds allow, and drop the rest
 * where the fill can best use the room.
 */
import type { ItemState } from './item-state.js';
import type { Bounds } from './quotas.js';
import type { Plan } from './validate.js';

/**
 * 1. Candidates: each item's live holders, in stored order. A node whose floor is the number
 *    of items needing slots must hold all of them; its place is reserved on every item.
 * 2. A node holding more than its ceiling drops the excess (nodes in id order), choosing first
 *    items that hold more nodes than they need (that drop is due anyway), then items that have
 *    lost the fewest slots so far (so freed slots land on different items, where one node, a
 *    joiner say, can take them all), then items that a node below its floor does not hold
 *    (it can take the freed slot), then standby before primary slots, then lower item ids.
 * 3. An item still holding more nodes than it can keep (replicas lowered, a reserved place)
 *    drops the holders furthest above their floor, later places first.
 * 4. What is left in each item's `live` (in stored order) is kept.
 * Returns each node's load.
 */
export function keepStored(plan: Plan, states: readonly ItemState[], bounds: Bounds): number[] {
  // Step 3.1: the candidates go straight into `live` (in stored order); drops remove them.
  const candidates = states.map((state) => {
    for (const id of state.stored) {
      const node = plan.indexOf.get(id);
      if (node !== undefined) state.live.push(node);
    }
    return state.live;
  });
  const load = new Array<number>(plan.nodes.length).fill(0);
  for (const held of candidates) for (const node of held) load[node] = (load[node] as number) + 1;
  // A node whose floor equals the number of items needing slots must be on every one of
  // them: reserve its place on items that lack it, so that they keep fewer other holders.
  const itemsWithSlots = states.filter((state) => state.need > 0).length;
  const everywhere: number[] = [];
  for (let node = 0; node < plan.nodes.length; node++) if ((bounds.floor[node] as number) >= itemsWithSlots) everywhere.push(node);
  // Slots each item is short of; negative when it holds more nodes than it can keep.
  const short = states.map((state) => {
    let reserved = 0;
    if (state.need > 0) for (const node of everywhere) if (!state.live.includes(node)) reserved++;
    return state.need - reserved - state.live.length;
  });
  const drop = (k: number, node: number) => {
    const held = candidates[k] as number[];
    held.splice(held.indexOf(node), 1);
    short[k] = (short[k] as number) + 1;
    load[node] = (load[node] as number) - 1;
  };
  dropOverCeiling(plan, candidates, short, bounds, load, drop);
  // Step 3.3.
  candidates.forEach((held, k) => {
    while ((short[k] as number) < 0) {
      let worst = -1;
      for (let at = held.length - 1; at >= 0; at--) {
        const node = held[at] as number;
        if (everywhere.includes(node)) continue;
        const surplus = (load[node] as number) - (bounds.floor[node] as number);
        const other = held[worst] as number;
        if (worst < 0 || surplus > (load[other] as number) - (bounds.floor[other] as number)) worst = at;
      }
      // Only reserved nodes left (the item needs no live slot at all): drop them too.
      drop(k, held[worst < 0 ? held.length - 1 : worst] as number);
    }
  });
  // Step 3.4: `live` holds the kept holders in stored order.
  for (const state of states) state.kept = state.live.length;
  return load;
}

/** Step 3.2. */
function dropOverCeiling(
  plan: Plan,
  candidates: readonly (readonly number[])[],
  short: readonly number[],
  bounds: Bounds,
  load: readonly number[],
  drop: (k: number, node: number) => void,
): void {
  const over: number[] = [];
  for (let node = 0; node < plan.nodes.length; node++) if ((load[node] as number) > (bounds.ceil[node] as number)) over.push(node);
  if (over.length === 0) return;
  const slotsOf = new Map<number, { item: number; position: number }[]>(over.map((node) => [node, []]));
  candidates.forEach((held, item) => held.forEach((node, position) => slotsOf.get(node)?.push({ item, position })));
  // Nodes below their floor will need places on items they do not hold yet.
  const below: number[] = [];
  for (let node = 0; node < plan.nodes.length; node++) if ((load[node] as number) < (bounds.floor[node] as number)) below.push(node);
  const takerFor = (item: number) => (below.some((node) => !(candidates[item] as readonly number[]).includes(node)) ? 0 : 1);
  for (const node of over) {
    const slots = slotsOf.get(node) as { item: number; position: number }[];
    const rank = (item: number) => Math.max(-1, short[item] as number);
    slots.sort((a, b) => rank(a.item) - rank(b.item) || takerFor(a.item) - takerFor(b.item) || b.position - a.position || a.item - b.item);
    const excess = (load[node] as number) - (bounds.ceil[node] as number);
    for (const { item } of slots.slice(0, excess)) drop(item, node);
  }
}
