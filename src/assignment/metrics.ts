/** Read-only helpers over assignments, for services, dashboards and tests. */
import type { Assignment } from './types.js';

/**
 * Moves from `previous` to `next`: the (item, node) slots of `next` that `previous` did not
 * have. Role changes within an item (a standby becoming primary) are not moves.
 */
export function countMoves(previous: Assignment | undefined, next: Assignment): number {
  let moves = 0;
  for (const [item, nodes] of Object.entries(next)) {
    const before = previous && Object.hasOwn(previous, item) ? new Set(previous[item]) : new Set<string>();
    for (const node of nodes) if (!before.has(node)) moves++;
  }
  return moves;
}

/** node id -> number of slots it holds (any position). Nodes holding nothing are absent. */
export function loadsOf(assignment: Assignment): Map<string, number> {
  const loads = new Map<string, number>();
  for (const nodes of Object.values(assignment)) {
    for (const node of nodes) loads.set(node, (loads.get(node) ?? 0) + 1);
  }
  return loads;
}

/** node id -> number of items it is listed first for. Nodes that are nobody's primary are absent. */
export function primariesOf(assignment: Assignment): Map<string, number> {
  const primaries = new Map<string, number>();
  for (const nodes of Object.values(assignment)) {
    const first = nodes[0];
    if (first !== undefined) primaries.set(first, (primaries.get(first) ?? 0) + 1);
  }
  return primaries;
}
