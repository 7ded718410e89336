/**
 * Generators and reference computations for the assignment property tests. The references are
 * written independently of src/assignment (a different water-filling loop), so a shared bug
 * cannot hide itself.
 */
import fc from 'fast-check';
import type { Assignment, AssignmentInput, AssignmentNode } from '../../../src/assignment/index.js';

/** Node ids the generators draw from: live, grace and dead nodes all come from this pool. */
export const POOL = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] as const;

const weightArb = fc.constantFrom<number | undefined>(undefined, 1, 2, 3, 0.5, 1.5);
const zoneArb = fc.constantFrom<string | undefined>(undefined, 'z1', 'z2', 'z3');

/** Item ids "0".."n-1" for n in [0, max]. */
export function itemsArb(max: number): fc.Arbitrary<string[]> {
  return fc.integer({ min: 0, max }).map((n) => Array.from({ length: n }, (_, i) => String(i)));
}

/** 1..8 live nodes with optional weights and zones (or all equal, when `equal`). */
export function nodesArb(equal = false): fc.Arbitrary<AssignmentNode[]> {
  return fc.subarray([...POOL], { minLength: 1, maxLength: 8 }).chain((ids) =>
    equal
      ? fc.constant(ids.map((id) => ({ id })))
      : fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), weight: weightArb, zone: zoneArb }))).map(stripUndefined),
  );
}

/** A stored list: up to 5 distinct pool ids (live, grace or dead). */
const storedListArb = fc.subarray([...POOL], { maxLength: 5 }).chain((ids) => fc.shuffledSubarray(ids, { minLength: ids.length }));

/**
 * A full input: items, live nodes, replicas, grace nodes (pool ids that are not live) and a
 * previous assignment that is arbitrary (any lists, dead nodes, items no longer present).
 */
export const inputArb: fc.Arbitrary<AssignmentInput> = fc
  .record({ items: itemsArb(40), nodes: nodesArb(), replicas: fc.integer({ min: 1, max: 4 }) })
  .chain(({ items, nodes, replicas }) => {
    const dead = POOL.filter((id) => !nodes.some((n) => n.id === id));
    return fc.record({
      items: fc.constant(items),
      nodes: fc.constant(nodes),
      replicas: fc.constant(replicas),
      grace: fc.subarray(dead),
      previous: fc.dictionary(fc.constantFrom(...items, '99', '100'), storedListArb, { maxKeys: 45 }),
    });
  });

/** The ids of `nodes`. */
export function idsOf(nodes: readonly AssignmentNode[]): Set<string> {
  return new Set(nodes.map((n) => n.id));
}

/** The stored list of `item` without duplicates (what the engine reads). */
export function storedOf(input: AssignmentInput, item: string): string[] {
  const previous = input.previous ?? {};
  return Object.hasOwn(previous, item) ? [...new Set(previous[item])] : [];
}

/** Grace nodes that are not also live (a live id wins). */
export function graceOf(input: AssignmentInput): Set<string> {
  const live = idsOf(input.nodes);
  return new Set((input.grace ?? []).filter((id) => !live.has(id)));
}

/** Live slots each item must get: min(replicas, live + frozen) - frozen. */
export function liveNeed(input: AssignmentInput, item: string): number {
  const grace = graceOf(input);
  const frozen = storedOf(input, item).filter((id) => grace.has(id)).length;
  return Math.max(0, Math.min(input.replicas ?? 1, input.nodes.length + frozen) - frozen);
}

/**
 * Exact capped weighted shares of `total`: repeat "split by weight among the uncapped nodes,
 * cap those above their cap" until nobody new is capped.
 */
export function referenceShares(total: number, weights: readonly number[], caps: readonly number[]): number[] {
  const shares = new Array<number>(weights.length).fill(0);
  const capped = new Set<number>();
  for (;;) {
    const left = total - [...capped].reduce((s, i) => s + (caps[i] as number), 0);
    const weight = weights.reduce((s, w, i) => (capped.has(i) ? s : s + w), 0);
    let changed = false;
    weights.forEach((w, i) => {
      if (capped.has(i)) return;
      shares[i] = weight > 0 ? (left * w) / weight : 0;
      if ((shares[i] as number) > (caps[i] as number) + 1e-9) {
        capped.add(i);
        changed = true;
      }
    });
    if (!changed) break;
  }
  capped.forEach((i) => (shares[i] = caps[i] as number));
  return shares;
}

/** True when `value` is within [floor(share), ceil(share)] (with float tolerance). */
export function withinOne(value: number, share: number): boolean {
  return value >= Math.floor(share + 1e-9) && value <= Math.ceil(share - 1e-9);
}

/** Live slots per live node (grace nodes excluded). */
export function liveLoads(input: AssignmentInput, result: Assignment): Map<string, number> {
  const loads = new Map(input.nodes.map((n) => [n.id, 0]));
  for (const list of Object.values(result)) {
    for (const id of list) if (loads.has(id)) loads.set(id, (loads.get(id) as number) + 1);
  }
  return loads;
}

/** Deterministic shuffle (Fisher-Yates driven by fast-check's seed). */
export function shuffled<T>(values: readonly T[], seed: number): T[] {
  const out = [...values];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function stripUndefined(nodes: { id: string; weight: number | undefined; zone: string | undefined }[]): AssignmentNode[] {
  return nodes.map(({ id, weight, zone }) => ({ id, ...(weight === undefined ? {} : { weight }), ...(zone === undefined ? {} : { zone }) }));
}

/**
 * Reference for the engine's hold during grace: some item lists a grace node, every item lists
 * only live and grace nodes with exactly its live need, and every live node that holds nothing
 * has a fair share below one slot. Then the result must be the stored lists, unchanged.
 */
export function holdsDuringGrace(input: AssignmentInput): boolean {
  const live = idsOf(input.nodes);
  const grace = graceOf(input);
  const held = new Set<string>();
  let frozen = false;
  for (const item of input.items) {
    const stored = storedOf(input, item);
    if (stored.some((id) => !live.has(id) && !grace.has(id))) return false;
    if (stored.filter((id) => live.has(id)).length !== liveNeed(input, item)) return false;
    if (stored.some((id) => grace.has(id))) frozen = true;
    for (const id of stored) held.add(id);
  }
  const weights = input.nodes.map((n) => n.weight ?? 1);
  const shares = weights.map(() => 0);
  for (const item of input.items) {
    referenceShares(liveNeed(input, item), weights, weights.map(() => 1)).forEach((part, i) => (shares[i] = (shares[i] as number) + part));
  }
  return frozen && input.nodes.every((node, i) => held.has(node.id) || Math.floor((shares[i] as number) + 1e-9) === 0);
}
