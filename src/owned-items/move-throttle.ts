/**
 * Throttled moves: of the moves one placement pass wants, make at most so many now, so that a
 * node joining (or a zone coming back) does not hand thousands of items over in one burst. The
 * rest stays as stored and moves on later passes, as handoffs complete.
 *
 * Vocabulary (one name each, in the code, the config, the metrics and the docs):
 * - a **move**: an item whose stored node list the pass changes while the item already has a
 *   node (live, or a vanished one in its offline grace) in that list;
 * - **in handoff**: a moved item whose acting node (the first live node of its stored list) does
 *   not hold the item's election yet. The leader tracks the items it moved and reads only their
 *   holders (`Backend.leader`), never every item's (item-placement.ts);
 * - a move **involves** the nodes that gain or lose a slot of the item, plus the old and the new
 *   acting node when they differ (a swap of master and standby involves both); each involved
 *   node counts it against `maxMovesPerNode`, so a cap holds on the giving and the receiving side.
 *
 * Not throttled: placing an **orphan**, an item with no live node and no node in grace in its
 * stored list (never placed, or its node was reclaimed after the grace). Nobody holds it, so
 * placing it cannot make two holders, and holding it back would only leave work undone that a
 * live node could do (placeItems refuses a result that leaves an item without a node anyway).
 */
import type { Assignment } from '../assignment/index.js';
import { ConfigError } from '../errors.js';

/** The largest move cap accepted: more than there can be buckets (see MAX_BUCKET_COUNT) or partitions. */
export const MAX_MOVES = 1_000_000;

/** The caps of a throttled pass; 0 or absent: no cap. */
export interface MoveLimits {
  /** Items in handoff at once in the cluster (per kind of item: the buckets, one resource). */
  readonly maxMovesInFlight?: number;
  /** Items in handoff at once that involve one node (giving or receiving). */
  readonly maxMovesPerNode?: number;
}

/** A move cap as configured: a whole number from 0 (no cap) to MAX_MOVES; ConfigError names `key`. */
export function checkMoveCap(value: unknown, key: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_MOVES) {
    throw new ConfigError(key, `must be a whole number of items from 0 (no cap) to ${MAX_MOVES}, got ${String(value)}`);
  }
}

/** Whether `limits` caps anything. */
export function throttles(limits: MoveLimits | undefined): boolean {
  return (limits?.maxMovesInFlight ?? 0) > 0 || (limits?.maxMovesPerNode ?? 0) > 0;
}

export interface ThrottleInput {
  /** Every item, in the order moves are chosen (the layout's order: deterministic). */
  readonly items: readonly string[];
  /** The stored lists, trimmed to live nodes and nodes in grace (placeItems' step 2). */
  readonly previous: Readonly<Record<string, readonly string[]>>;
  /** The full target of the assignment engine. */
  readonly target: Assignment;
  /** Items in handoff now, with the nodes each involves. They keep their stored list until done. */
  readonly inHandoff: ReadonlyMap<string, readonly string[]>;
  readonly limits: MoveLimits;
}

export interface ThrottledTarget {
  /** The target with the deferred moves undone (those items keep their stored list). */
  readonly assignment: Assignment;
  /** The moves made now, with the nodes each involves: in handoff from now on. */
  readonly started: ReadonlyMap<string, readonly string[]>;
  /** Moves the target wants that wait for a later pass (the caps were full). */
  readonly deferred: number;
}

/**
 * Steps:
 * 1. The caps start used by the items in handoff now (cluster: one each; per node: one for each
 *    node it involves).
 * 2. Items in order: an unchanged item keeps its list; an orphan is placed at once, uncounted;
 *    an item in handoff keeps its stored list until its handoff is done; any other move is made
 *    if the cluster cap and the cap of every node it involves have room, else deferred.
 */
export function throttleMoves(input: ThrottleInput): ThrottledTarget {
  const clusterCap = capOf(input.limits.maxMovesInFlight);
  const nodeCap = capOf(input.limits.maxMovesPerNode);
  // 1.
  let inFlight = input.inHandoff.size;
  const perNode = new Map<string, number>();
  const count = (nodes: readonly string[]) => nodes.forEach((n) => perNode.set(n, (perNode.get(n) ?? 0) + 1));
  for (const nodes of input.inHandoff.values()) count(nodes);
  // 2.
  const assignment: Record<string, readonly string[]> = {};
  const started = new Map<string, readonly string[]>();
  let deferred = 0;
  for (const item of input.items) {
    const before = input.previous[item] ?? [];
    const after = input.target[item] ?? [];
    let chosen = after;
    if (before.length > 0 && !sameList(before, after)) {
      const nodes = involved(before, after);
      const room = !input.inHandoff.has(item) && inFlight < clusterCap && nodes.every((n) => (perNode.get(n) ?? 0) < nodeCap);
      if (room) {
        inFlight++;
        count(nodes);
        started.set(item, nodes);
      } else {
        chosen = before;
        deferred++;
      }
    }
    Object.defineProperty(assignment, item, { value: chosen, enumerable: true });
  }
  return { assignment: Object.freeze(assignment), started, deferred };
}

/** The nodes a move from `before` to `after` involves, sorted. */
export function involved(before: readonly string[], after: readonly string[]): string[] {
  const nodes = new Set([...before.filter((n) => !after.includes(n)), ...after.filter((n) => !before.includes(n))]);
  if (before[0] !== after[0]) {
    if (before[0] !== undefined) nodes.add(before[0]);
    if (after[0] !== undefined) nodes.add(after[0]);
  }
  return [...nodes].sort();
}

function capOf(limit: number | undefined): number {
  return limit === undefined || limit <= 0 ? Infinity : limit;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
