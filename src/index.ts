// The public API of the `baton-cluster` package: a plain list of re-exports, one line per module.
export * from './contract/index.js';
export * from './errors.js';
export { systemClock, type Clock } from './clock.js';
export { FakeClock } from './testing/fake-clock.js';
export { openStore, parseStoreUrl, type OpenStoreOptions, type StoreUrl } from './backends/open-store.js';
export { MemoryStore, createStandaloneBackend, type MemoryStoreOptions } from './backends/memory/index.js';
export { LeaderElector, CLUSTER_LEADER_ELECTION, type ElectorState, type LeaderElectorOptions } from './election/index.js';
export { loadConfig, configSchema, DEFAULT_HTTP_PORT, DEFAULT_STORE_URL, type BatonConfig, type LoadConfigOptions, type LoadedConfig } from './config/index.js';
export { BatonNode, startNode, type StartNodeOptions, type NodeState, type OpenBackend } from './node/index.js';
export type { NodeFeature, NodeFeatureFactory, FeatureContext, ClusterElector, NodeConfig, StoreConfig, HttpConfig, AdvertiseConfig } from './feature/index.js';
export { createHttpServer, HttpError, type NodeView, type RouteModule, type RouteContext } from './http/index.js';
export { assign, countMoves, loadsOf, primariesOf, type Assignment, type AssignmentInput, type AssignmentNode } from './assignment/index.js';
export { BucketsFeature, BucketOwner, AssignService, readBucketStatus, bucketIds, DEFAULT_BUCKETS_OPTIONS, type BucketsConfig, type BucketsOptions, type BucketId, type BucketStatus, type NodeBuckets, type AcquiredBucket, type AcquiredListener, type ReleasedListener, type ReleaseReason, type BucketOwnerOptions, type AssignServiceOptions } from './buckets/index.js';
export { ZkDigest, loadZkAcl, type ZkAcl, type ZkAclSource } from './backends/zookeeper/index.js';
export * from './federation/index.js';
export * from './directory/index.js';
export * from './amoro/index.js';
export * from './partitions/index.js';
