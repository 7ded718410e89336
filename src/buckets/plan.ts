/**
 * Buckets in the engine's terms, as pure functions: the stored table (assignment-layout.ts) as a
 * StoredPlacement, and the KV writes that take the table to a placement the engine computed.
 *
 * Fixes over Amoro's AmsAssignService, each by construction:
 * - The engine keeps a node in grace to exactly its buckets and shares only the rest, so a node
 *   joining during another's grace never produces a second owner (Amoro: 133 slots for 100
 *   buckets), and it refuses any placement that lists a bucket twice.
 * - A vanished node without a last-update-time (a graceful leave deletes it) is reclaimed at
 *   once, and its folder is deleted, so a graceful leave never orphans buckets.
 * - Writes are ordered in two phases: first every shrink and deletion, then every growth. Between
 *   the phases no bucket is listed for two nodes, so the stored target never double-lists a bucket.
 */
import type { Member } from '../contract/contract.js';
import type { KvOp } from '../owned-items/layout.js';
import { placeItems, type Placement, type StoredPlacement } from '../owned-items/place-items.js';
import { bucketIds, sortBuckets, type BucketId } from './bucket-ids.js';
import { assignmentsKey, expectOf, graceKey, lastUpdateKey, type NodeRecord, type Stored } from './assignment-layout.js';

export type { KvOp } from '../owned-items/layout.js';

/** The stored table: node id -> its folder, sorted by node id. */
export type BucketTable = ReadonlyMap<string, NodeRecord>;

/** The table as the engine reads it: each bucket's holders in node-id order, the grace used, the graceful leavers. */
export function storedBuckets(table: BucketTable): StoredPlacement {
  const assignment: Record<string, string[]> = {};
  const graceUsedMs = new Map<string, number | null>();
  const departed = new Set<string>();
  for (const [nodeId, record] of table) {
    for (const bucket of heldBuckets(record)) (assignment[bucket] ??= []).push(nodeId);
    const grace = record.graceElapsedMs;
    graceUsedMs.set(nodeId, grace !== null && grace !== 'corrupt' ? grace.value : null);
    // A graceful leaver deleted its last-update-time: nothing to wait for.
    if (record.lastUpdateTime === null) departed.add(nodeId);
  }
  return { assignment, graceUsedMs, departed };
}

/** Each live and in-grace node's target (live nodes with none get an empty list). */
export function targetOf(placement: Placement): Map<string, BucketId[]> {
  const target = new Map<string, BucketId[]>();
  for (const nodeId of placement.live) target.set(nodeId, []);
  for (const nodeId of placement.inGrace.keys()) target.set(nodeId, []);
  for (const [bucket, nodes] of Object.entries(placement.assignment)) {
    const nodeId = nodes[0];
    if (nodeId !== undefined) target.get(nodeId)?.push(bucket);
  }
  return target;
}

/** Phase 1 (shrinks, deletions) then phase 2 (growth, bookkeeping). `wallNow`: epoch ms stored as last-update-time, for display only. */
export function bucketWrites(table: BucketTable, placement: Placement, target: ReadonlyMap<string, readonly BucketId[]>, wallNow: number): [KvOp[], KvOp[]] {
  const shrink: KvOp[] = [];
  const grow: KvOp[] = [];
  // Reclaimed nodes: their whole folder goes, the assignment first so their buckets are free.
  for (const nodeId of placement.reclaimed) {
    const record = table.get(nodeId);
    if (record === undefined) continue;
    pushDelete(shrink, assignmentsKey(nodeId), record.assignments);
    pushDelete(grow, lastUpdateKey(nodeId), record.lastUpdateTime);
    pushDelete(grow, graceKey(nodeId), record.graceElapsedMs);
  }
  for (const [nodeId, buckets] of target) {
    const record = table.get(nodeId);
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
      grow.push({ kind: 'put', key: lastUpdateKey(nodeId), value: wallNow, expect: expectOf(lastUpdate) });
    }
    const grace = record?.graceElapsedMs ?? null;
    const used = placement.graceUsedMs.get(nodeId);
    if (used !== undefined) {
      grow.push({ kind: 'put', key: graceKey(nodeId), value: { elapsedMs: used }, expect: expectOf(grace) });
    } else {
      pushDelete(grow, graceKey(nodeId), grace);
    }
  }
  return [shrink, grow];
}

export interface PlanInput {
  readonly bucketCount: number;
  readonly members: readonly Member[];
  readonly table: BucketTable;
  /** Grace used so far by each vanished node that holds buckets, in ms (see OfflineGrace). */
  readonly graceUsedMs: ReadonlyMap<string, number>;
  readonly offlineGraceMs: number;
  /** Wall-clock epoch ms, stored as last-update-time for display only (never compared). */
  readonly wallNow: number;
}

export interface Plan extends Placement {
  /** The new target of every node that holds buckets (live or in grace). */
  readonly target: ReadonlyMap<string, readonly BucketId[]>;
  readonly phases: readonly [readonly KvOp[], readonly KvOp[]];
}

/** One whole pass as a pure function (the engine's placement, then the bucket writes). Throws StateError if the placement would list a bucket twice. */
export function planAssignment(input: PlanInput): Plan {
  const placement = placeItems({
    items: bucketIds(input.bucketCount),
    replicas: 1,
    members: input.members,
    stored: storedBuckets(input.table),
    graceUsedMs: input.graceUsedMs,
    offlineGraceMs: input.offlineGraceMs,
  });
  const target = targetOf(placement);
  return { ...placement, target, phases: bucketWrites(input.table, placement, target, input.wallNow) };
}

export function heldBuckets(record: NodeRecord): BucketId[] {
  return record.assignments !== null && record.assignments !== 'corrupt' ? record.assignments.value : [];
}

function pushDelete(ops: KvOp[], key: string, stored: Stored<unknown>): void {
  if (stored !== null) ops.push({ kind: 'delete', key, expect: stored === 'corrupt' ? undefined : stored.version });
}

function sameList(a: readonly BucketId[], b: readonly BucketId[]): boolean {
  const sorted = sortBuckets(b);
  return a.length === sorted.length && a.every((x, i) => x === sorted[i]);
}
