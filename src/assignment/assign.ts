/**
 * The assignment engine: one pure, deterministic function shared by bucket assignment and
 * partition placement (DESIGN.md, "Assignment").
 */
import { fillFree } from './fill.js';
import { raiseFloors } from './floor-repair.js';
import { giveBackMoves } from './give-back.js';
import { holdsDuringGrace } from './hold.js';
import { listOf, readItems, type ItemState } from './item-state.js';
import { keepStored } from './keep.js';
import { choosePrimaries } from './primaries.js';
import { shareBounds, slotShares } from './quotas.js';
import type { Assignment, AssignmentInput } from './types.js';
import { validate } from './validate.js';

/**
 * Spreads `items` over the live `nodes`, `replicas` nodes per item, moving as little as possible
 * from `previous`.
 *
 * Guarantees (each is a property test in test/unit/assignment/):
 * - every item gets `min(replicas, live + its grace nodes)` distinct nodes; nodes in `grace`
 *   keep exactly the slots they had (a grace node's slot is not given to a live node too);
 * - each live node's load is within 1 of its weighted fair share of the free slots (each
 *   item's live slots split by weight, at most one per node), and so is its number of
 *   primaries (first position); zones of one item differ when possible;
 * - among balanced results, the fewest moves: stored slots are kept up to each node's
 *   ceiling, so a join moves only the joiner's share, a leave (one replica) only the leaver's
 *   slots, and an unchanged input gives back `previous`;
 * - the same input in any order gives the same output; invalid input throws
 *   InvalidArgumentError;
 * - stable under grace: while some stored list names a node in grace and the stored lists are
 *   whole (only live and grace nodes, each item with exactly the live slots it needs, no live
 *   node owed slots it lacks), `previous` comes back unchanged, so nodes moving from live to
 *   grace (or back) move nothing, primaries included; the live balance above is then the one
 *   `previous` had, and is restored when the grace ends.
 *
 * While a listed primary is in grace the engine keeps it first; the caller lets the first live
 * node of the list act as primary meanwhile.
 *
 * @example
 * ```ts
 * const next = assign({ items: ['1', '2', '3'], nodes: [{ id: 'a' }, { id: 'b' }], replicas: 2 });
 * // { '1': ['a', 'b'], '2': ['b', 'a'], '3': ['a', 'b'] } (or another balanced result)
 * ```
 *
 * Steps:
 * 1. Read each item's stored list: frozen grace slots, live holders, live slots needed.
 * 2. Bounds: each item's needed live slots split by weight, at most one per node (see
 *    quotas.ts), summed per node; a balanced load lies between the sum rounded down and up.
 *    While nodes are in grace and the stored lists are whole, return them as they are (hold.ts).
 * 3. Keep stored slots up to each node's ceiling (keep.ts).
 * 4. Fill the free slots, nodes below their floor first, zones considered (fill.ts).
 * 5. Lift nodes still below their floor by taking slots from nodes above theirs
 *    (floor-repair.ts): only as many moves as the floors force.
 * 6. Put dropped stored holders back in place of added nodes, passing the load on along
 *    swaps that cost no move until the bounds hold again (give-back.ts): steps 3-5 settle one
 *    node at a time and can spend a move too many.
 * 7. Choose primaries by swapping roles within each item's list (primaries.ts).
 */
export function assign(input: AssignmentInput): Assignment {
  const plan = validate(input);
  const states = readItems(plan);
  const needs = states.map((s) => s.need);
  const bounds = shareBounds(slotShares(needs, plan.nodes.map((n) => n.weight)));
  if (holdsDuringGrace(plan, states, bounds)) return resultOf(states, (state) => [...state.stored]);
  const load = keepStored(plan, states, bounds);
  fillFree(plan, states, bounds, load);
  raiseFloors(plan, states, bounds, load);
  giveBackMoves(plan, states, bounds, load);
  choosePrimaries(plan, states);
  return resultOf(states, (state) => listOf(plan, state));
}

function resultOf(states: readonly ItemState[], listFor: (state: ItemState) => readonly string[]): Assignment {
  const result: Record<string, readonly string[]> = {};
  for (const state of states) {
    const ids = listFor(state);
    // Plain assignment to "__proto__" would set the prototype instead of adding the item.
    if (state.item === '__proto__') Object.defineProperty(result, state.item, { value: ids, enumerable: true });
    else result[state.item] = ids;
  }
  return Object.freeze(result);
}
