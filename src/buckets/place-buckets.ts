import type { Member } from '../backend/contract.js';
import { assign, type AssignmentNode } from '../assignment/index.js';
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
    nodes: live.map(toNode),
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

/** A member as the engine sees it: its advertised weight and zone, when they are usable. */
function toNode(member: Member): AssignmentNode {
  const { weight, zone } = member.info;
  return {
    id: member.nodeId,
    ...(typeof weight === 'number' && Number.isFinite(weight) && weight > 0 ? { weight } : {}),
    ...(typeof zone === 'string' && zone.length > 0 ? { zone } : {}),
  };
}
