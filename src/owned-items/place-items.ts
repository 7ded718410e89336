/**
 * One placement pass of the owned-items engine, as a pure function: from the live members, the
 * stored layout (in the engine's terms) and the offline grace each vanished node has used, to
 * the next placement. Buckets and partitions both place through it; what they store differs
 * (their layouts turn a placement into KV writes), how they place does not.
 *
 * By construction:
 * - a node inside its offline grace keeps exactly its slots and the live nodes share only the
 *   rest, so a node joining during another's grace never makes an item listed twice;
 * - a node that left gracefully (its layout says so) is reclaimed at once, never waited for;
 * - `checkPlacement` refuses any result that lists an item for more nodes than `replicas`, moves
 *   a slot away from a node in grace, or leaves an item without a node while any node is live;
 * - with move limits, at most that many items are in handoff at once (move-throttle.ts); an item
 *   nobody holds is placed at once whatever the limits.
 */
import type { Member } from '../contract/contract.js';
import { assign, memberNode, type Assignment } from '../assignment/index.js';
import { StateError } from '../errors.js';
import { throttleMoves, type MoveLimits } from './move-throttle.js';
import { preferPrimaries } from './preferred-primaries.js';

/** The stored layout as the engine reads it (each layout translates its own documents). */
export interface StoredPlacement {
  /** item -> the nodes it is stored for, first the one that acts for it. */
  readonly assignment: Assignment;
  /** Every node the stored layout names (also nodes that hold nothing), with the grace it had used when stored (ms; null: none). */
  readonly graceUsedMs: ReadonlyMap<string, number | null>;
  /** Nodes that left gracefully: their items move at once, without a grace. */
  readonly departed: ReadonlySet<string>;
}

export interface PlaceItemsInput {
  /** Every item id, as the assignment engine names it ("1".."N" buckets, "0".."N-1" partitions). */
  readonly items: readonly string[];
  /** Nodes per item: the acting one plus standbys. */
  readonly replicas: number;
  readonly members: readonly Member[];
  readonly stored: StoredPlacement;
  /** Grace used so far by each vanished node, on the leaders' monotonic clocks (see OfflineGrace). */
  readonly graceUsedMs: ReadonlyMap<string, number>;
  /** How long a vanished node keeps its slots (the engine's one name for buckets' offlineGraceMs and partitions' rebalanceDelayMs). */
  readonly offlineGraceMs: number;
  /**
   * Throttled moves: the caps, and the items in handoff now with the nodes each involves (the
   * leader's tracking). Absent: every move the assignment engine wants is made now.
   */
  readonly throttle?: { readonly limits: MoveLimits; readonly inHandoff: ReadonlyMap<string, readonly string[]> };
  /** item -> the node that should act for it while live (partitions' preferredMasters); default none. */
  readonly preferredPrimaries?: Readonly<Record<string, string>> | undefined;
}

export interface Placement {
  /** The live nodes it placed over, in the members' order. */
  readonly live: readonly string[];
  /** item -> [acting node, ...standbys], over live nodes and nodes in grace; every item listed. */
  readonly assignment: Assignment;
  /** Vanished nodes that keep their slots, with the ms of grace they have left. */
  readonly inGrace: ReadonlyMap<string, number>;
  /** The grace each node in `inGrace` has used (ms), to be stored so a new leader continues it. */
  readonly graceUsedMs: ReadonlyMap<string, number>;
  /** Stored nodes neither live nor in grace (sorted): their stored state goes. */
  readonly reclaimed: readonly string[];
  /** Slots given to a node other than the ones the item was stored for (an item moved). */
  readonly moves: number;
  /** The throttled moves made now, with the nodes each involves (empty when not throttled). */
  readonly started: ReadonlyMap<string, readonly string[]>;
  /** Moves the assignment engine wants that the caps hold back for a later pass (0 when not throttled). */
  readonly deferred: number;
}

/**
 * Steps:
 * 1. Vanished nodes the store names, that did not leave gracefully and have grace left, are
 *    candidates for grace.
 * 2. Each item's stored list keeps only live and candidate nodes, once each; a list longer than
 *    `replicas` keeps its live nodes first (a store may list a bucket under two nodes).
 * 3. Candidates that still keep a slot are in grace; every other stored node that is not live
 *    is reclaimed.
 * 4. The assignment engine spreads the items over the live nodes, keeping the grace nodes' slots
 *    (with no live node, the grace nodes keep theirs and the rest stays unplaced).
 * 5. Items with a live preferred primary get it first (preferred-primaries.ts).
 * 6. With move limits, only the moves the caps have room for are made now (move-throttle.ts).
 */
export function placeItems(input: PlaceItemsInput): Placement {
  const live = new Set(input.members.map((m) => m.nodeId));
  // 1.
  const candidates = new Map<string, number>();
  for (const nodeId of input.stored.graceUsedMs.keys()) {
    if (live.has(nodeId) || input.stored.departed.has(nodeId)) continue;
    const left = input.offlineGraceMs - (input.graceUsedMs.get(nodeId) ?? 0);
    if (left > 0) candidates.set(nodeId, left);
  }
  // 2.
  const previous: Record<string, string[]> = {};
  const keeping = new Set<string>();
  for (const item of input.items) {
    const list = trimmed(input.stored.assignment[item] ?? [], live, candidates, input.replicas);
    if (list.length > 0) define(previous, item, list);
    for (const nodeId of list) keeping.add(nodeId);
  }
  // 3.
  const inGrace = new Map([...candidates].filter(([nodeId]) => keeping.has(nodeId)));
  const reclaimed = [...input.stored.graceUsedMs.keys()].filter((id) => !live.has(id) && !inGrace.has(id)).sort();
  // 4.
  const spread = (from: Readonly<Record<string, readonly string[]>>) =>
    live.size > 0
      ? assign({ items: input.items, nodes: input.members.map(memberNode), previous: from, replicas: input.replicas, grace: [...inGrace.keys()] })
      : Object.freeze(Object.fromEntries(input.items.map((item) => [item, from[item] ?? []])));
  // 5.
  const target = input.preferredPrimaries === undefined ? spread(previous) : withPreferences(spread, previous, input.preferredPrimaries, live, input.replicas);
  // 6.
  const throttled = input.throttle === undefined
    ? { assignment: target, started: new Map<string, readonly string[]>(), deferred: 0 }
    : throttleMoves({ items: input.items, previous, target, ...input.throttle });
  const { assignment, started, deferred } = throttled;
  checkPlacement(input, assignment, previous, inGrace, live.size > 0);
  const graceUsedMs = new Map([...inGrace].map(([nodeId, left]) => [nodeId, input.offlineGraceMs - left]));
  return { live: [...live], assignment, inGrace, graceUsedMs, reclaimed, moves: countMoves(previous, assignment), started, deferred };
}

/**
 * How many rounds step 5 may take. A preference moves a role (and maybe a slot) past the
 * engine's spread of primaries; placed again, the engine hands another role back, which settles
 * in one more round (the property test in test/unit/owned-items/preferred-primaries.test.ts
 * checks that a pass placed again from its own result moves nothing).
 */
const PREFERENCE_ROUNDS = 4;

/**
 * Step 5: preferred primaries on top of the engine's spread, placed again from that result until
 * the engine keeps it, so the next pass (from the stored result) writes nothing.
 */
function withPreferences(
  spread: (from: Readonly<Record<string, readonly string[]>>) => Assignment,
  previous: Readonly<Record<string, readonly string[]>>,
  preferred: Readonly<Record<string, string>>,
  live: ReadonlySet<string>,
  replicas: number,
): Assignment {
  let current = preferPrimaries(spread(previous), preferred, live, replicas);
  for (let round = 1; round < PREFERENCE_ROUNDS; round++) {
    const next = preferPrimaries(spread(current), preferred, live, replicas);
    if (sameAssignment(next, current)) break;
    current = next;
  }
  return current;
}

function sameAssignment(a: Assignment, b: Assignment): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((item) => {
    const x = a[item] ?? [];
    const y = b[item] ?? [];
    return x.length === y.length && x.every((id, at) => id === y[at]);
  });
}

/** Step 2 for one item. */
function trimmed(stored: readonly string[], live: ReadonlySet<string>, candidates: ReadonlyMap<string, number>, replicas: number): string[] {
  const list = [...new Set(stored)].filter((id) => live.has(id) || candidates.has(id));
  if (list.length <= replicas) return list;
  return [...list.filter((id) => live.has(id)), ...list.filter((id) => !live.has(id))].slice(0, replicas);
}

function checkPlacement(input: PlaceItemsInput, assignment: Assignment, previous: Readonly<Record<string, readonly string[]>>, inGrace: ReadonlyMap<string, number>, anyLive: boolean): void {
  for (const item of input.items) {
    const list = assignment[item] ?? [];
    if (list.length > input.replicas || new Set(list).size !== list.length) {
      throw new StateError(`placement lists item ${item} for ${list.join(', ')} (replicas ${input.replicas}); nothing was written`);
    }
    if (anyLive && list.length === 0) throw new StateError(`placement leaves item ${item} without a node; nothing was written`);
    for (const nodeId of previous[item] ?? []) {
      if (inGrace.has(nodeId) && !list.includes(nodeId)) {
        throw new StateError(`placement moved item ${item} away from ${nodeId} during its grace; nothing was written`);
      }
    }
  }
}

function countMoves(previous: Readonly<Record<string, readonly string[]>>, next: Assignment): number {
  let moves = 0;
  for (const [item, before] of Object.entries(previous)) {
    for (const nodeId of next[item] ?? []) if (!before.includes(nodeId)) moves++;
  }
  return moves;
}

/** Sets `record[key]`, also for the key "__proto__" (a plain assignment would set the prototype). */
function define(record: Record<string, string[]>, key: string, value: string[]): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
