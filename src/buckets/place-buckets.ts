import type { Member } from '../contract/contract.js';
import { assign, memberNode } from '../assignment/index.js';
import type { BucketId } from './bucket-ids.js';

/**
 * Runs the shared assignment engine for buckets (one replica each) and returns node -> buckets
 * for every live and in-grace node (live nodes with none get an empty list).
 */
export function placeBuckets(
  buckets: readonly BucketId[],
  live: readonly Member[],
  previous: ReadonlyMap<BucketId, string>,
  grace: readonly string[],
): Map<string, BucketId[]> {
  const target = new Map<string, BucketId[]>();
  for (const member of live) target.set(member.nodeId, []);
  for (const nodeId of grace) target.set(nodeId, []);
  if (live.length === 0) {
    // Nobody to give free buckets to: in-grace nodes keep theirs, the rest stays unassigned.
    for (const [bucket, nodeId] of previous) target.get(nodeId)?.push(bucket);
    return target;
  }
  const placed = assign({
    items: buckets,
    nodes: live.map(memberNode),
    previous: Object.fromEntries([...previous].map(([bucket, nodeId]) => [bucket, [nodeId]])),
    replicas: 1,
    grace,
  });
  for (const bucket of buckets) {
    const nodeId = placed[bucket]?.[0];
    if (nodeId !== undefined) target.get(nodeId)?.push(bucket);
  }
  return target;
}
