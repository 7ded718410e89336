/**
 * Step 7 of the algorithm: choose each item's primary among its live nodes so that primaries are
 * spread by weight too, by swapping roles inside an item's replica set (never by moving a slot).
 */
import type { ItemState } from './item-state.js';
import { PrimaryRoles } from './primary-roles.js';
import type { Plan } from './validate.js';

/**
 * Picks the primary of every item whose primary position is not frozen and that has a live
 * node (it is listed first in the output).
 * Each node's number of primaries must end within [floor, ceil] of its fair share: every such
 * item's role split by weight among the live nodes on it, summed per node.
 * 1. Keep the stored primary while it is on the item and below its ceiling (so an already
 *    balanced assignment keeps every role).
 * 2. Every other item takes the node on it that is furthest below its floor, else the one with
 *    most room below its ceiling (ties: lower id). If all nodes on the item are at their
 *    ceiling, shift along an augmenting path: the item takes a full node v1, one of v1's items
 *    hands its role to its node v2, ... until a node below its ceiling is reached.
 * 3. While a node is below its floor, shift along an augmenting path the other way: it takes a
 *    role from a node on one of its items, which takes one in turn, ... until a node above its
 *    floor gives one up.
 * Paths are searched breadth-first (shortest first). Integer counts within [floor, ceil] always
 * exist (the fractional split is a flow with integer bounds), so a path exists whenever a
 * bound is not met yet; the least loaded fallback only guards against float edge cases.
 */
export function choosePrimaries(plan: Plan, states: readonly ItemState[]): void {
  const open = states.filter((s) => !s.frozenPrimary && s.live.length > 0);
  const roles = new PrimaryRoles(plan, open);
  // Step 7.1.
  const rest: number[] = [];
  open.forEach((state, k) => {
    const p = state.previousPrimary;
    if (state.live.includes(p) && roles.belowCeil(p)) roles.set(k, p);
    else rest.push(k);
  });
  // Step 7.2.
  for (const k of rest) {
    const best = roles.bestFor(k);
    if (best >= 0) roles.set(k, best);
    else if (!roles.augmentUp(k)) roles.set(k, roles.leastLoaded(k));
  }
  // Step 7.3.
  for (let node = 0; node < plan.nodes.length; node++) {
    while (roles.belowFloor(node) && roles.augmentDown(node));
  }
  open.forEach((state, k) => (state.primary = roles.primaryOf(k)));
}
