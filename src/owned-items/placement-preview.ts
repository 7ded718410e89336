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
 * - the nodes' offline grace and move caps are their configuration, not stored: the caller
 *   passes its own;
 * - the running leader's handoffs under way: the preview starts with none, so under move caps
 *   its first step is what the leader's next pass makes once the current handoffs are done.
 */
import type { Member } from '../contract/contract.js';
import type { Assignment } from '../assignment/index.js';
import { memberNode } from '../assignment/index.js';
import type { OwnedItemsLayout } from './layout.js';
import { throttles, type MoveLimits } from './move-throttle.js';
import { withoutDraining } from './drain-placement.js';
import { placeItems, type Placement, type StoredPlacement } from './place-items.js';

/**
 * The most passes a preview simulates under move caps before it stops counting: each is one
 * pure pass (tens of ms at 10,000 items), so a plan answers within seconds however small the cap.
 */
export const MAX_PLANNED_STEPS = 1_000;

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
  /** Nodes with a stored drain request (operations/drain/): placed as the leader places them, like graceful leavers. */
  readonly drainRequests?: { has(nodeId: string): boolean };
  /** The leader's move caps (throttled moves); absent or 0: every move in one step. */
  readonly limits?: MoveLimits;
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
  /** The layout once every step is made. */
  readonly placement: Placement;
  /** Every move, from the stored layout to `placement`. */
  readonly moves: readonly PlannedMove[];
  /** The moves of the leader's next pass (all of `moves` without move caps). */
  readonly firstStep: readonly PlannedMove[];
  /**
   * Passes the change takes, each after the previous one's handoffs completed (0: nothing moves;
   * 1 without move caps); null when more than MAX_PLANNED_STEPS.
   */
  readonly steps: number | null;
  /** Live nodes then nodes in grace, each in id order. */
  readonly loads: readonly NodeLoad[];
  /** Fewest and most slots of a live node (0 when none is live). */
  readonly minSlots: number;
  readonly maxSlots: number;
}

/**
 * Steps: 1. the stored layout in the engine's terms; 2. grace as last stored, used up for `gone`;
 * 3. the pass, and under move caps the passes after it, each starting from the one before with
 * its handoffs done, until none is held back; 4. moves and loads.
 */
export function previewPlacement<S>(input: PreviewInput<S>): PlacementPreview {
  const { layout } = input;
  // 1. (draining nodes as the leader's pass sees them)
  const { placing: members, stored } = withoutDraining(input.members, layout.storedPlacement(input.stored), input.drainRequests ?? new Set());
  // 2. What OfflineGrace.used reports on a new leader's first pass: the stored value.
  const graceUsedMs = new Map<string, number>();
  for (const [nodeId, used] of stored.graceUsedMs) graceUsedMs.set(nodeId, input.gone.has(nodeId) ? input.offlineGraceMs : (used ?? 0));
  // 3.
  const items = layout.items.map(String);
  const throttle = throttles(input.limits) ? { throttle: { limits: input.limits ?? {}, inHandoff: new Map<string, readonly string[]>() } } : {};
  const pass = (from: StoredPlacement) => placeItems({ items, replicas: layout.replicas, members, stored: from, graceUsedMs, offlineGraceMs: input.offlineGraceMs, preferredPrimaries: layout.preferredPrimaries, ...throttle });
  let placement = pass(stored);
  const firstStep = movesBetween(items, stored.assignment, placement.assignment);
  let steps: number | null = firstStep.length > 0 ? 1 : 0;
  while (placement.deferred > 0 && steps !== null) {
    placement = pass({ ...stored, assignment: placement.assignment });
    steps = steps < MAX_PLANNED_STEPS ? steps + 1 : null;
  }
  // 4.
  const moves = movesBetween(items, stored.assignment, placement.assignment);
  const loads = loadsOf(members, placement, items.length * layout.replicas);
  const live = loads.filter((l) => l.fairShare !== null).map((l) => l.slots);
  return { placement, moves, firstStep, steps, loads, minSlots: live.length > 0 ? Math.min(...live) : 0, maxSlots: live.length > 0 ? Math.max(...live) : 0 };
}

function movesBetween(items: readonly string[], from: Assignment, to: Assignment): PlannedMove[] {
  return items.flatMap((item) => {
    const before = from[item] ?? [];
    const after = to[item] ?? [];
    return sameList(before, after) ? [] : [{ item, from: before, to: after }];
  });
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
