/**
 * Buckets as the owned-items engine sees them: ids "1".."count", one node each, election
 * `bucket/{id}`, stored in Amoro's shape (assignment-layout.ts), and a node holds exactly the
 * buckets its own target lists.
 */
import type { Kv } from '../contract/contract.js';
import type { OwnedItemsLayout } from '../owned-items/layout.js';
import { assignmentsKey, lastUpdateKey, nodePrefix, parseAssignments, readAssignmentTable } from './assignment-layout.js';
import { bucketIds, type BucketId } from './bucket-ids.js';
import { bucketWrites, storedBuckets, targetOf, type BucketTable } from './plan.js';

/** The election a bucket's owner holds. */
export function bucketElection(bucket: BucketId): string {
  return `bucket/${bucket}`;
}

/**
 * The layout of `count` buckets. `wallClock` (epoch ms) is stored as each target's
 * last-update-time, for people only; it is never compared.
 */
export function bucketLayout(count: number, wallClock: () => number = () => Date.now()): OwnedItemsLayout<BucketId, BucketTable, readonly BucketId[]> {
  const layout: OwnedItemsLayout<BucketId, BucketTable, readonly BucketId[]> = {
    noun: 'bucket',
    what: 'bucket assignment',
    items: Object.freeze(bucketIds(count)),
    replicas: 1,
    electionOf: bucketElection,
    readStored: (kv: Kv, onCorrupt, signal) => readAssignmentTable(kv, count, onCorrupt, signal),
    storedPlacement: storedBuckets,
    writes: (table: BucketTable, next) => bucketWrites(table, next, targetOf(next), wallClock()),
    watchPrefixes: (nodeId: string) => [nodePrefix(nodeId)],
    watchesMembers: false,
    readView: async ({ kv }, nodeId, _onCorrupt, signal) => {
      const key = assignmentsKey(nodeId);
      const entry = await kv.get(key, { signal });
      return entry === null ? [] : parseAssignments(key, entry.value, count);
    },
    wanted: (target: readonly BucketId[]) => new Set(target),
    // A graceful leave: without its last-update-time the leader reclaims the node's buckets at once.
    leave: async (kv: Kv, nodeId: string) => kv.delete(lastUpdateKey(nodeId)),
  };
  return Object.freeze(layout);
}
