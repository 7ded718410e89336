/**
 * Bucket assignment: the cluster leader spreads bucket ids "1".."N" evenly over the live nodes
 * (AssignService, fenced writes), and each node owns its buckets through a two-step handoff
 * (BucketOwner over the shared HandoffSlots: the old owner stops and resigns `bucket/{id}`
 * before the new one can win it).
 * In a node, turn it on with `buckets.enabled: true` and use `node.buckets`.
 */
export { AssignService, RETRY_AFTER_ERROR_MS, type AssignServiceOptions } from './assign-service.js';
export { ASSIGNMENTS_ROOT, assignmentsKey, graceKey, lastUpdateKey, nodePrefix, parseAssignments } from './assignment-layout.js';
export { MAX_BUCKET_COUNT, bucketIds, compareBucketIds, isBucketId, validateBucketCount, type BucketId } from './bucket-ids.js';
export { bucketOf } from './bucket-of.js';
export { BucketMetrics } from './bucket-metrics.js';
export { BucketOwner, type BucketOwnerOptions } from './bucket-owner.js';
export { readBucketStatus, type BucketStatus, type NodeBuckets } from './bucket-status.js';
export { BucketsFeature, bucketsFeatureFactory } from './buckets-feature.js';
export type { BucketsConfig } from './buckets-config.js';
export { DEFAULT_BUCKETS_OPTIONS, validateBucketsOptions, type BucketsLayoutName, type BucketsOptions } from './buckets-options.js';
