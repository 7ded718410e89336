/**
 * What the leader's next placement pass would do, without doing it: the same stored layout,
 * the same members (edited by the caller: a node added, removed or reweighted) and the same
 * pure pass ({@link placeItems}) the leader runs, then the moves and the load spread after.
 * Nothing is written. `baton buckets plan` and `baton resource plan` print it.
 *
 * What a reader cannot see, and how the preview stands in for it:
 * - the running leader's grace timers live in its memory; the preview uses the grace each node
 *   had used when the leader last stored it (a new leader starts from the same value), so a
 *   grace may have run up to one pass further than shown;
 * - the nodes' offline grace is their configuration, not stored: the caller passes its own.
 */
import type { Member } from '../contract/contract.js';
import type { Assignment } from '../assignment/index.js';
import { memberNode } from '../assignment/index.js';
import type { OwnedItemsLayout } from './layout.js';
import { placeItems, type Placement } from './place-items.js';

export interface PreviewInput<S> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the follower's types do not matter to the leader's pass
  readonly layout: OwnedItemsLayout<any, S, unknown>;
  /** What `layout.readStored` returned. */
  readonly stored: S;
  /** The live members, after the caller's edits. */
  readonly members: readonly Member[];
  /** Nodes to treat as gone for good (removed): their grace counts as used up, so their items move. */
  readonly gone: ReadonlySet<string>;
  readonly offlineGraceMs: number;
}

/** One item whose node list changes: `from` as stored, `to` as placed (first the acting node). */
export interface PlannedMove {
  readonly item: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
}

/** One node's load after the pass. */
export interface NodeLoad {
  readonly nodeId: string;
  /** The weight the engine uses (1 when the member advertises none). */
  readonly weight: number;
  /** Items it acts for (first in the item's list). */
  readonly acting: number;
  /** Slots it holds (acting plus standby). */
  readonly slots: number;
  /** Its weighted fair share of slots (live nodes only; null for a node in grace). */
  readonly fairShare: number | null;
}

export interface PlacementPreview {
  readonly placement: Placement;
  readonly moves: readonly PlannedMove[];
  /** Live nodes then nodes in grace, each in id order. */
  readonly loads: readonly NodeLoad[];
  /** Fewest and most slots of a live node (0 when none is live). */
  readonly minSlots: number;
  readonly maxSlots: number;
}

/** Steps: 1. the stored layout in the engine's terms; 2. grace as last stored, used up for `gone`; 3. the pass; 4. moves and loads. */
export function previewPlacement<S>(input: PreviewInput<S>): PlacementPreview {
  const { layout } = input;
  // 1.
  const stored = layout.storedPlacement(input.stored);
  // 2. What OfflineGrace.used reports on a new leader's first pass: the stored value.
  const graceUsedMs = new Map<string, number>();
  for (const [nodeId, used] of stored.graceUsedMs) graceUsedMs.set(nodeId, input.gone.has(nodeId) ? input.offlineGraceMs : (used ?? 0));
  // 3.
  const items = layout.items.map(String);
  const placement = placeItems({ items, replicas: layout.replicas, members: input.members, stored, graceUsedMs, offlineGraceMs: input.offlineGraceMs, preferredPrimaries: layout.preferredPrimaries });
  // 4.
  const moves = items.flatMap((item) => {
    const from = stored.assignment[item] ?? [];
    const to = placement.assignment[item] ?? [];
    return sameList(from, to) ? [] : [{ item, from, to }];
  });
  const loads = loadsOf(input.members, placement, items.length * layout.replicas);
  const live = loads.filter((l) => l.fairShare !== null).map((l) => l.slots);
  return { placement, moves, loads, minSlots: live.length > 0 ? Math.min(...live) : 0, maxSlots: live.length > 0 ? Math.max(...live) : 0 };
}

function loadsOf(members: readonly Member[], placement: Placement, totalSlots: number): NodeLoad[] {
  const nodes = members.map(memberNode);
  const totalWeight = nodes.reduce((sum, n) => sum + (n.weight ?? 1), 0);
  const count = (assignment: Assignment, nodeId: string, actingOnly: boolean) =>
    Object.values(assignment).filter((list) => (actingOnly ? list[0] === nodeId : list.includes(nodeId))).length;
  const live = [...nodes].sort((a, b) => compare(a.id, b.id)).map((n) => ({
    nodeId: n.id,
    weight: n.weight ?? 1,
    acting: count(placement.assignment, n.id, true),
    slots: count(placement.assignment, n.id, false),
    fairShare: (totalSlots * (n.weight ?? 1)) / totalWeight,
  }));
  const inGrace = [...placement.inGrace.keys()].sort(compare).map((nodeId) => ({
    nodeId,
    weight: 1,
    acting: count(placement.assignment, nodeId, true),
    slots: count(placement.assignment, nodeId, false),
    fairShare: null,
  }));
  return [...live, ...inGrace];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
