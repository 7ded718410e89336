/**
 * One placement pass for a partitioned resource, as a pure function over the shared assignment
 * engine: from the live members, the stored placement and the grace each vanished node has used,
 * to the next placement.
 */
import type { Member } from '../contract/contract.js';
import { assign, memberNode } from '../assignment/index.js';
import type { PartitionAssignment, PlacementDoc } from './resource-layout.js';
import type { PartitionResourceOptions } from './resource-options.js';

export interface PlacementInput {
  readonly options: PartitionResourceOptions;
  readonly live: readonly Member[];
  readonly previous: PlacementDoc | null;
  /** Grace used so far by each vanished node of `previous` (ms, see OfflineGrace). */
  readonly graceUsedMs: ReadonlyMap<string, number>;
}

export interface PlacementPlan {
  readonly doc: PlacementDoc;
  /** Vanished nodes that keep their places, with the ms of delay they have left. */
  readonly inGrace: ReadonlyMap<string, number>;
  /** The stored document differs from `doc` (a write is needed). */
  readonly changed: boolean;
}

/** The partition items "0".."N-1". */
export function partitionItems(partitions: number): string[] {
  return Array.from({ length: partitions }, (_, i) => String(i));
}

/**
 * Steps:
 * 1. Vanished nodes named by the stored placement stay "in grace" while they have delay left;
 *    the engine keeps their places frozen, and holds the whole placement still while it is
 *    otherwise whole, masters included (a restart inside the delay moves nothing).
 * 2. The engine spreads the partitions over the live nodes, `replicas` per partition, keeping
 *    what it can; masters (first position) spread evenly too.
 * 3. The grace used is stored with the placement so a new leader continues it.
 */
export function planPlacement(input: PlacementInput): PlacementPlan {
  const { options, live, previous } = input;
  const liveIds = new Set(live.map((m) => m.nodeId));
  const inGrace = new Map<string, number>();
  for (const nodeId of nodesOf(previous?.assignment ?? {})) {
    if (liveIds.has(nodeId)) continue;
    const left = options.rebalanceDelayMs - (input.graceUsedMs.get(nodeId) ?? 0);
    if (left > 0) inGrace.set(nodeId, left);
  }
  const items = partitionItems(options.partitions);
  const assignment =
    live.length === 0
      ? keepGraceOnly(items, previous?.assignment ?? {}, inGrace)
      : assign({ items, nodes: live.map(memberNode), previous: previous?.assignment ?? {}, replicas: options.replicas, grace: [...inGrace.keys()] });
  const graceElapsedMs: Record<string, number> = {};
  for (const nodeId of [...inGrace.keys()].sort()) graceElapsedMs[nodeId] = input.graceUsedMs.get(nodeId) ?? 0;
  const doc: PlacementDoc = { partitions: options.partitions, replicas: options.replicas, assignment, graceElapsedMs };
  return { doc, inGrace, changed: previous === null || !samePlacement(previous, doc) };
}

/** Every node id the assignment names, sorted. */
export function nodesOf(assignment: PartitionAssignment): string[] {
  return [...new Set(Object.values(assignment).flat())].sort();
}

/** With no live node (the leader itself is live, so only in tests): grace nodes keep their places. */
function keepGraceOnly(items: readonly string[], previous: PartitionAssignment, inGrace: ReadonlyMap<string, number>): PartitionAssignment {
  return Object.fromEntries(items.map((item) => [item, (previous[item] ?? []).filter((id) => inGrace.has(id))]));
}

function samePlacement(a: PlacementDoc, b: PlacementDoc): boolean {
  if (a.replicas !== b.replicas || a.partitions !== b.partitions) return false;
  const sameLists = partitionItems(b.partitions).every((item) => sameList(a.assignment[item] ?? [], b.assignment[item] ?? []));
  const graceA = Object.entries(a.graceElapsedMs).sort();
  const graceB = Object.entries(b.graceElapsedMs).sort();
  return sameLists && JSON.stringify(graceA) === JSON.stringify(graceB);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
