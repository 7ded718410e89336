/**
 * Exhaustive search for the fewest moves any balanced assignment needs, for inputs small enough
 * to enumerate (at most 4 items, 4 live nodes). Balanced means what rule 3 tests: each live
 * load within [floor, ceil] of the node's fair share.
 */
import fc from 'fast-check';
import type { AssignmentInput } from '../../../src/assignment/index.js';
import { POOL, graceOf, liveNeed, referenceShares, storedOf, withinOne } from './fixtures.js';

/** Inputs with at most 4 items and 4 live nodes, any weights, grace nodes and stored lists. */
export const smallInputArb: fc.Arbitrary<AssignmentInput> = fc
  .record({
    items: fc.integer({ min: 1, max: 4 }).map((n) => Array.from({ length: n }, (_, i) => String(i))),
    nodes: fc.subarray([...POOL].slice(0, 6), { minLength: 1, maxLength: 4 }).chain((ids) =>
      fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), weight: fc.constantFrom(1, 1, 2, 0.5) }))),
    ),
    replicas: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ items, nodes, replicas }) => {
    const dead = [...POOL].slice(0, 6).filter((id) => !nodes.some((n) => n.id === id));
    // Stored lists as the engine writes them: at most `replicas` distinct nodes.
    const list = fc.subarray([...POOL].slice(0, 6), { maxLength: replicas }).chain((ids) => fc.shuffledSubarray(ids, { minLength: ids.length }));
    return fc.record({
      items: fc.constant(items),
      nodes: fc.constant(nodes),
      replicas: fc.constant(replicas),
      grace: fc.subarray(dead, { maxLength: 2 }),
      previous: fc.dictionary(fc.constantFrom(...items), list, { maxKeys: 4 }),
    });
  });

/** All `size`-element subsets of `values`. */
function subsets<T>(values: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (values.length < size) return [];
  const [first, ...rest] = values as [T, ...T[]];
  return [...subsets(rest, size - 1).map((s) => [first, ...s]), ...subsets(rest, size)];
}

export function bruteForceMinimumMoves(input: AssignmentInput): number {
  const ids = input.nodes.map((n) => n.id);
  const weights = input.nodes.map((n) => n.weight ?? 1);
  const shares = weights.map(() => 0);
  for (const item of input.items) {
    referenceShares(liveNeed(input, item), weights, weights.map(() => 1)).forEach((part, i) => (shares[i] = (shares[i] as number) + part));
  }
  const grace = graceOf(input);
  const choices = input.items.map((item) => subsets(ids, liveNeed(input, item)));
  const stored = input.items.map((item) => new Set(storedOf(input, item).filter((id) => !grace.has(id))));
  let best = Number.POSITIVE_INFINITY;
  const loads = new Map(ids.map((id) => [id, 0]));
  const walk = (k: number, moves: number): void => {
    if (moves >= best) return;
    if (k === choices.length) {
      if (ids.every((id, i) => withinOne(loads.get(id) as number, shares[i] as number))) best = moves;
      return;
    }
    for (const choice of choices[k] ?? []) {
      for (const id of choice) loads.set(id, (loads.get(id) as number) + 1);
      walk(k + 1, moves + choice.filter((id) => !(stored[k] as Set<string>).has(id)).length);
      for (const id of choice) loads.set(id, (loads.get(id) as number) - 1);
    }
  };
  walk(0, 0);
  return best;
}
