import type { Backend } from '../contract/contract.js';
import type { CorruptDocumentError } from '../errors.js';
import { readAssignmentTable } from './assignment-layout.js';
import { bucketIds, type BucketId } from './bucket-ids.js';

/** One node's row in the bucket status (HTTP `GET /buckets`, `baton buckets`). */
export interface NodeBuckets {
  readonly nodeId: string;
  /** Its target as stored, in numeric order ([] when absent or corrupt). */
  readonly buckets: readonly BucketId[];
  readonly count: number;
  /** When the leader last wrote its target, wall-clock epoch ms (display only), or null. */
  readonly lastUpdateTime: number | null;
  /**
   * live: its session is alive; grace: gone but keeping its buckets for the offline grace;
   * leaving: gone and about to lose its buckets (graceful leave or nothing to keep).
   */
  readonly state: 'live' | 'grace' | 'leaving';
  /** Grace used so far as last stored by the leader (ms), for nodes in grace. */
  readonly graceElapsedMs: number | null;
  /** The stored target is corrupt (the leader rewrites it on its next pass). */
  readonly corrupt: boolean;
}

export interface BucketStatus {
  readonly bucketCount: number;
  readonly nodes: readonly NodeBuckets[];
  /** Buckets no node's target lists (only during a change, or with no live node). */
  readonly unassigned: readonly BucketId[];
  /** Keys of corrupt stored documents. */
  readonly corruptKeys: readonly string[];
}

/** Reads the stored targets and the live members (no session needed). */
export async function readBucketStatus(backend: Backend, bucketCount: number, options: { signal?: AbortSignal } = {}): Promise<BucketStatus> {
  const corruptKeys: string[] = [];
  const onCorrupt = (error: CorruptDocumentError) => corruptKeys.push(error.key);
  const [members, table] = await Promise.all([
    backend.members(options),
    readAssignmentTable(backend.kv, bucketCount, onCorrupt, options.signal),
  ]);
  const live = new Set(members.map((m) => m.nodeId));
  const nodes = new Map<string, NodeBuckets>();
  for (const [nodeId, record] of table) {
    const stored = record.assignments;
    const buckets = stored !== null && stored !== 'corrupt' ? stored.value : [];
    const lastUpdate = record.lastUpdateTime !== null && record.lastUpdateTime !== 'corrupt' ? record.lastUpdateTime.value : null;
    const grace = record.graceElapsedMs !== null && record.graceElapsedMs !== 'corrupt' ? record.graceElapsedMs.value : null;
    const state = live.has(nodeId) ? 'live' : buckets.length > 0 && record.lastUpdateTime !== null ? 'grace' : 'leaving';
    nodes.set(nodeId, { nodeId, buckets, count: buckets.length, lastUpdateTime: lastUpdate, state, graceElapsedMs: state === 'grace' ? grace : null, corrupt: stored === 'corrupt' });
  }
  for (const nodeId of live) {
    if (!nodes.has(nodeId)) nodes.set(nodeId, { nodeId, buckets: [], count: 0, lastUpdateTime: null, state: 'live', graceElapsedMs: null, corrupt: false });
  }
  const listed = new Set([...nodes.values()].flatMap((n) => n.buckets));
  return {
    bucketCount,
    nodes: [...nodes.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0)),
    unassigned: bucketIds(bucketCount).filter((b) => !listed.has(b)),
    corruptKeys,
  };
}
