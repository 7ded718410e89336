/**
 * A partitioned resource's placement in the owned-items engine's terms, as pure functions: the
 * stored placement document (resource-layout.ts) as a StoredPlacement, and the document that
 * stores a placement the engine computed. Partitions are the items "0".."N-1", `replicas` nodes
 * each: [master, ...standbys].
 */
import type { Member } from '../contract/contract.js';
import { placeItems, type Placement, type StoredPlacement } from '../owned-items/place-items.js';
import type { PartitionAssignment, PlacementDoc } from './resource-layout.js';
import type { PartitionResourceOptions } from './resource-options.js';

/** The partition items "0".."N-1". */
export function partitionItems(partitions: number): string[] {
  return Array.from({ length: partitions }, (_, i) => String(i));
}

/** Every node id the assignment names, sorted. */
export function nodesOf(assignment: PartitionAssignment): string[] {
  return [...new Set(Object.values(assignment).flat())].sort();
}

/** The stored document as the engine reads it: nobody leaves "gracefully" (a stopped node keeps its places for the delay, like a crashed one). */
export function storedPartitions(doc: PlacementDoc | null): StoredPlacement {
  const assignment = doc?.assignment ?? {};
  const graceUsedMs = new Map(nodesOf(assignment).map((nodeId) => [nodeId, doc?.graceElapsedMs[nodeId] ?? null]));
  return { assignment, graceUsedMs, departed: new Set() };
}

/** The document that stores `placement`, with the grace each node in it has used. */
export function placementDoc(options: PartitionResourceOptions, placement: Placement): PlacementDoc {
  const graceElapsedMs: Record<string, number> = {};
  for (const nodeId of [...placement.graceUsedMs.keys()].sort()) graceElapsedMs[nodeId] = placement.graceUsedMs.get(nodeId) ?? 0;
  return { partitions: options.partitions, replicas: options.replicas, assignment: placement.assignment, graceElapsedMs };
}

/** Whether two documents store the same placement (no write needed). */
export function samePlacement(a: PlacementDoc, b: PlacementDoc): boolean {
  if (a.replicas !== b.replicas || a.partitions !== b.partitions) return false;
  const sameLists = partitionItems(b.partitions).every((item) => sameList(a.assignment[item] ?? [], b.assignment[item] ?? []));
  const graceA = Object.entries(a.graceElapsedMs).sort();
  const graceB = Object.entries(b.graceElapsedMs).sort();
  return sameLists && JSON.stringify(graceA) === JSON.stringify(graceB);
}

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

/**
 * One whole pass as a pure function: the engine places the partitions over the live nodes,
 * `replicas` per partition, keeping what it can (a node gone for less than `rebalanceDelayMs`
 * keeps its places, and the rest holds still while the placement is otherwise whole); masters
 * (first position) spread evenly too. The grace used is stored so a new leader continues it.
 */
export function planPlacement(input: PlacementInput): PlacementPlan {
  const { options, previous } = input;
  const placement = placeItems({
    items: partitionItems(options.partitions),
    replicas: options.replicas,
    members: input.live,
    stored: storedPartitions(previous),
    graceUsedMs: input.graceUsedMs,
    offlineGraceMs: options.rebalanceDelayMs,
    preferredPrimaries: options.preferredMasters,
  });
  const doc = placementDoc(options, placement);
  return { doc, inGrace: placement.inGrace, changed: previous === null || !samePlacement(previous, doc) };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
