/**
 * Input checks and normalisation for the assignment engine: everything is sorted by id here so
 * that the steps after it never depend on the caller's order (determinism rule).
 */
import { InvalidArgumentError } from '../errors.js';
import type { AssignmentInput } from './types.js';

/** A live node after validation; `zone` is a key that is unique per node when none was given. */
export interface PlannedNode {
  readonly id: string;
  readonly weight: number;
  readonly zone: string;
}

/** The validated, sorted input. */
export interface Plan {
  readonly items: readonly string[];
  /** Live nodes sorted by id; a node is referred to by its index in this array. */
  readonly nodes: readonly PlannedNode[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly grace: ReadonlySet<string>;
  readonly replicas: number;
  /** The stored list of `item` with duplicates removed, or [] when there is none. */
  previousOf(item: string): readonly string[];
  /**
   * Tie-break order of live nodes for the fill: zones taken in turn (the first node of each
   * zone, then the second of each, ...), so that equal nodes are consumed evenly across zones
   * and late items still find room in zones they do not use. Without zones it is id order.
   */
  readonly rank: readonly number[];
  /** Id, weight and zone key of live node number `node`. */
  id(node: number): string;
  weight(node: number): number;
  zone(node: number): string;
}

/**
 * The canonical id order: shorter first, then by UTF-16 code units. Independent of locale and
 * of the caller's order, the same on every machine, and numeric ids ("2" before "10") come out
 * in numeric order, which is also the order a JavaScript object lists such keys in.
 */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Validates `input` (throws InvalidArgumentError) and returns it sorted and indexed. */
export function validate(input: AssignmentInput): Plan {
  const replicas = input.replicas ?? 1;
  if (!Number.isSafeInteger(replicas) || replicas < 1) {
    throw new InvalidArgumentError(`assignment: replicas must be an integer >= 1, got ${String(replicas)}`);
  }
  const items = sortedUnique(input.items, 'item');
  const nodes = validateNodes(input.nodes);
  const indexOf = new Map(nodes.map((node, index) => [node.id, index]));
  const grace = new Set<string>();
  if (input.grace !== undefined && !Array.isArray(input.grace)) throw new InvalidArgumentError('assignment: grace must be an array of node ids');
  for (const id of input.grace ?? []) {
    checkId(id, 'grace node');
    if (!indexOf.has(id)) grace.add(id);
  }
  const previous = input.previous ?? {};
  if (typeof previous !== 'object' || previous === null || Array.isArray(previous)) {
    throw new InvalidArgumentError('assignment: previous must be an object mapping item ids to node id lists');
  }
  const previousOf = (item: string): readonly string[] => {
    if (!Object.hasOwn(previous, item)) return NONE;
    const list: unknown = previous[item];
    if (!Array.isArray(list) || list.some((id) => typeof id !== 'string')) {
      throw new InvalidArgumentError(`assignment: previous["${item}"] must be an array of node ids`);
    }
    return withoutDuplicates(list as string[]);
  };
  const node = (index: number): PlannedNode => {
    const found = nodes[index];
    if (found === undefined) throw new RangeError(`assignment: no live node number ${index}`);
    return found;
  };
  return {
    items,
    nodes,
    rank: zoneRanks(nodes),
    indexOf,
    grace,
    replicas,
    previousOf,
    id: (index) => node(index).id,
    weight: (index) => node(index).weight,
    zone: (index) => node(index).zone,
  };
}

function zoneRanks(nodes: readonly PlannedNode[]): number[] {
  const zones = [...new Set(nodes.map((n) => n.zone))].sort(compareIds);
  const zoneIndex = new Map(zones.map((zone, i) => [zone, i]));
  const seen = new Map<string, number>();
  // Nodes are sorted by id, so each node's place within its zone follows id order.
  return nodes.map((node) => {
    const place = seen.get(node.zone) ?? 0;
    seen.set(node.zone, place + 1);
    return place * zones.length + (zoneIndex.get(node.zone) as number);
  });
}

const NONE: readonly string[] = Object.freeze([]);

/** `list` itself when it has no duplicates (the usual case: no copy), else a deduplicated copy. */
function withoutDuplicates(list: readonly string[]): readonly string[] {
  if (list.length === 0) return NONE;
  for (let i = 1; i < list.length; i++) {
    if (list.lastIndexOf(list[i] as string, i - 1) >= 0) return [...new Set(list)];
  }
  return list;
}

function validateNodes(input: AssignmentInput['nodes']): PlannedNode[] {
  if (!Array.isArray(input)) throw new InvalidArgumentError('assignment: nodes must be an array');
  const nodes = input.map((node) => {
    checkId(node?.id, 'node id');
    const weight = node.weight ?? 1;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
      throw new InvalidArgumentError(`assignment: node "${node.id}" has weight ${String(weight)}; a weight must be a finite number > 0`);
    }
    if (node.zone !== undefined && typeof node.zone !== 'string') {
      throw new InvalidArgumentError(`assignment: node "${node.id}" has a zone that is not a string`);
    }
    // A node without a zone is its own failure domain: the "\0" prefix cannot clash with a
    // real zone name, so such nodes never count as sharing a zone.
    return { id: node.id, weight, zone: node.zone === undefined ? `\0${node.id}` : `z:${node.zone}` };
  });
  nodes.sort((a, b) => compareIds(a.id, b.id));
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i]?.id === nodes[i - 1]?.id) {
      throw new InvalidArgumentError(`assignment: node id "${nodes[i]?.id}" is listed twice; node ids must be unique`);
    }
  }
  return nodes;
}

function sortedUnique(input: readonly string[], what: string): readonly string[] {
  if (!Array.isArray(input)) throw new InvalidArgumentError(`assignment: ${what}s must be an array of ids`);
  for (const id of input) checkId(id, what);
  // Callers usually pass items in canonical order already ("1".."100"): then no copy, no sort.
  let ordered = true;
  for (let i = 1; i < input.length && ordered; i++) ordered = compareIds(input[i - 1] as string, input[i] as string) < 0;
  if (ordered) return input;
  const sorted = [...input].sort(compareIds);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) {
      throw new InvalidArgumentError(`assignment: ${what} "${sorted[i]}" is listed twice; ${what} ids must be unique`);
    }
  }
  return sorted;
}

function checkId(id: unknown, what: string): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidArgumentError(`assignment: every ${what} must be a non-empty string, got ${JSON.stringify(id)}`);
  }
}
