/**
 * One assignment pass, as a pure function: from the live members, the stored table and how much
 * grace each vanished node has used, to the new target and the KV writes that reach it.
 *
 * Fixes over Amoro's AmsAssignService, each by construction:
 * - A node inside its grace keeps exactly its buckets and the live nodes share only the rest, so
 *   a node joining during another's grace never produces a second owner (Amoro: 133 slots for
 *   100 buckets). `checkTarget` refuses to write any target with a bucket listed twice.
 * - A vanished node without a last-update-time (a graceful leave deletes it) is reclaimed at
 *   once, and its folder is deleted, so a graceful leave never orphans buckets.
 * - Writes are ordered in two phases: first every shrink and deletion, then every growth. Between
 *   the phases no bucket is listed for two nodes, so the stored target never double-lists a bucket.
 */
import type { Json } from '../contract/json.js';
import type { Member } from '../contract/contract.js';
import { StateError } from '../errors.js';
import { bucketIds, sortBuckets, type BucketId } from './bucket-ids.js';
import { assignmentsKey, expectOf, graceKey, lastUpdateKey, type NodeRecord, type Stored } from './assignment-layout.js';
import { placeBuckets } from './place-buckets.js';

export interface PlanInput {
  readonly bucketCount: number;
  readonly members: readonly Member[];
  readonly table: ReadonlyMap<string, NodeRecord>;
  /** Grace used so far by each vanished node that holds buckets, in ms (see OfflineGrace). */
  readonly graceUsedMs: ReadonlyMap<string, number>;
  readonly offlineGraceMs: number;
  /** Wall-clock epoch ms, stored as last-update-time for display only (never compared). */
  readonly wallNow: number;
}

/** One KV write; `expect` as in KvWriteOptions.expectVersion (undefined: overwrite a corrupt value). */
export type KvOp =
  | { readonly kind: 'put'; readonly key: string; readonly value: Json; readonly expect: number | null | undefined }
  | { readonly kind: 'delete'; readonly key: string; readonly expect: number | undefined };

export interface Plan {
  /** The new target of every node that holds buckets (live or in grace). */
  readonly target: ReadonlyMap<string, readonly BucketId[]>;
  /** Vanished nodes still in grace, with the ms of grace they have left. */
  readonly inGrace: ReadonlyMap<string, number>;
  /** Vanished nodes whose buckets move now. */
  readonly reclaimed: readonly string[];
  /** Phase 1 (shrinks, deletions) then phase 2 (growth, bookkeeping). */
  readonly phases: readonly [readonly KvOp[], readonly KvOp[]];
  /** Buckets whose owner changed from one node to another. */
  readonly moves: number;
}

/** Computes one pass. Throws StateError if the placement would list a bucket twice. */
export function planAssignment(input: PlanInput): Plan {
  // 1. Sort stored nodes into live, in grace (vanished, holding buckets, grace left) and reclaimed.
  const live = new Map(input.members.map((m) => [m.nodeId, m]));
  const inGrace = new Map<string, number>();
  const reclaimed: string[] = [];
  for (const [nodeId, record] of input.table) {
    if (live.has(nodeId)) continue;
    const held = heldBuckets(record);
    const left = input.offlineGraceMs - (input.graceUsedMs.get(nodeId) ?? 0);
    if (held.length > 0 && record.lastUpdateTime !== null && left > 0) inGrace.set(nodeId, left);
    else reclaimed.push(nodeId);
  }
  // 2. Previous owner of each bucket: its first holder (by node id) among the live nodes, else
  //    among the nodes in grace (a table may list a bucket twice; only one holder keeps it).
  const previous = new Map<BucketId, string>();
  for (const holders of [[...live.keys()], [...inGrace.keys()]]) {
    for (const nodeId of holders) {
      const record = input.table.get(nodeId);
      for (const bucket of record ? heldBuckets(record) : []) if (!previous.has(bucket)) previous.set(bucket, nodeId);
    }
  }
  //    A node in grace that keeps nothing has nothing to wait for: reclaim its folder now.
  const keeping = new Set(previous.values());
  for (const nodeId of [...inGrace.keys()].filter((id) => !keeping.has(id))) {
    inGrace.delete(nodeId);
    reclaimed.push(nodeId);
  }
  reclaimed.sort();
  // 3. Place: in-grace nodes keep what they hold; live nodes share the rest evenly, moving the fewest.
  const target = placeBuckets(bucketIds(input.bucketCount), [...live.values()], previous, [...inGrace.keys()]);
  checkTarget(target, input.bucketCount, live.size > 0, inGrace, previous);
  // 4. The writes that take the store from the table to the target.
  return { target, inGrace, reclaimed, phases: writesFor(input, target, inGrace, reclaimed), moves: countMoves(previous, target) };
}

function heldBuckets(record: NodeRecord): BucketId[] {
  return record.assignments !== null && record.assignments !== 'corrupt' ? record.assignments.value : [];
}

function checkTarget(
  target: ReadonlyMap<string, readonly BucketId[]>,
  count: number,
  anyLive: boolean,
  inGrace: ReadonlyMap<string, number>,
  previous: ReadonlyMap<BucketId, string>,
): void {
  const owner = new Map<BucketId, string>();
  for (const [nodeId, buckets] of target) {
    for (const bucket of buckets) {
      const other = owner.get(bucket);
      if (other !== undefined) throw new StateError(`placement lists bucket ${bucket} for both ${other} and ${nodeId}; nothing was written`);
      owner.set(bucket, nodeId);
    }
  }
  const keptByGrace = [...previous].filter(([, nodeId]) => inGrace.has(nodeId)).length;
  const expected = anyLive ? count : keptByGrace;
  if (owner.size !== expected) throw new StateError(`placement covers ${owner.size} buckets, expected ${expected}; nothing was written`);
  for (const [bucket, nodeId] of previous) {
    if (inGrace.has(nodeId) && owner.get(bucket) !== nodeId) {
      throw new StateError(`placement moved bucket ${bucket} away from ${nodeId} during its grace; nothing was written`);
    }
  }
}

function writesFor(
  input: PlanInput,
  target: ReadonlyMap<string, readonly BucketId[]>,
  inGrace: ReadonlyMap<string, number>,
  reclaimed: readonly string[],
): [KvOp[], KvOp[]] {
  const shrink: KvOp[] = [];
  const grow: KvOp[] = [];
  // Reclaimed nodes: their whole folder goes, the assignment first so their buckets are free.
  for (const nodeId of reclaimed) {
    const record = input.table.get(nodeId)!;
    pushDelete(shrink, assignmentsKey(nodeId), record.assignments);
    pushDelete(grow, lastUpdateKey(nodeId), record.lastUpdateTime);
    pushDelete(grow, graceKey(nodeId), record.graceElapsedMs);
  }
  for (const [nodeId, buckets] of target) {
    const record = input.table.get(nodeId);
    const stored = record?.assignments ?? null;
    const held = record ? heldBuckets(record) : [];
    const wanted = new Set(buckets);
    const kept = held.filter((b) => wanted.has(b));
    const valid = stored !== null && stored !== 'corrupt';
    const changed = !valid || !sameList(held, buckets);
    // Phase 1 drops what moves away; phase 2 writes the final list unless phase 1 already did.
    if (valid && kept.length < held.length) {
      shrink.push({ kind: 'put', key: assignmentsKey(nodeId), value: kept, expect: stored.version });
    }
    if (!valid || !sameList(kept, buckets)) {
      grow.push({ kind: 'put', key: assignmentsKey(nodeId), value: sortBuckets(buckets), expect: expectOf(stored) });
    }
    const lastUpdate = record?.lastUpdateTime ?? null;
    if (changed || lastUpdate === 'corrupt') {
      // A graceful leaver deleted its time on purpose: only a write of its target brings it back.
      grow.push({ kind: 'put', key: lastUpdateKey(nodeId), value: input.wallNow, expect: expectOf(lastUpdate) });
    }
    const grace = record?.graceElapsedMs ?? null;
    const left = inGrace.get(nodeId);
    if (left !== undefined) {
      grow.push({ kind: 'put', key: graceKey(nodeId), value: { elapsedMs: input.offlineGraceMs - left }, expect: expectOf(grace) });
    } else {
      pushDelete(grow, graceKey(nodeId), grace);
    }
  }
  return [shrink, grow];
}

function pushDelete(ops: KvOp[], key: string, stored: Stored<unknown>): void {
  if (stored !== null) ops.push({ kind: 'delete', key, expect: stored === 'corrupt' ? undefined : stored.version });
}

function sameList(a: readonly BucketId[], b: readonly BucketId[]): boolean {
  const sorted = sortBuckets(b);
  return a.length === sorted.length && a.every((x, i) => x === sorted[i]);
}

function countMoves(previous: ReadonlyMap<BucketId, string>, target: ReadonlyMap<string, readonly BucketId[]>): number {
  let moves = 0;
  for (const [nodeId, buckets] of target) {
    for (const bucket of buckets) {
      const before = previous.get(bucket);
      if (before !== undefined && before !== nodeId) moves++;
    }
  }
  return moves;
}
