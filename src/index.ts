/**
 * The `baton-cluster` package root: run a node, elect a leader on any store, and the types a
 * user of the node's features meets. Two subpaths hold the rest:
 * - `baton-cluster/testing` (src/entry-points/testing.ts): a fake clock and the in-memory store;
 * - `baton-cluster/federation` (src/entry-points/federation.ts): the federated ZooKeeper client,
 *   its routing sources, and the directory service and client.
 * Nothing else is public: docs/api/exports.md lists every exported name, and
 * test/package/api-report.test.ts fails when the code exports anything else.
 */

// A node: configuration, start (with its HTTP API, or bare), the features' contract.
export { createNode, startNode } from './http/start-node.js';
export { BatonNode, type StartNodeOptions, type NodeState } from './node/baton-node.js';
export type { NodeSurface } from './node/node-surface.js';
export type { OpenBackend } from './node/open-backend.js';
export type { DrainOptions, DrainResult, NodeHolding } from './node/node-drain.js';
export type { DrainRequest } from './operations/drain-request.js';
export type { FeatureContext, NodeFeature, NodeFeatureFactory } from './feature/feature.js';
export type { ClusterElector } from './feature/cluster-elector.js';
export type { AdvertiseConfig, AutoFreeze, ElectionConfig, HttpConfig, NodeConfig, PlacementConfig, StoreConfig } from './feature/node-config.js';
export { loadConfig, type LoadConfigOptions, type LoadedConfig } from './config/load-config.js';
export type { BatonConfig } from './config/types.js';

// The leader elector, on a store opened by URL, through the backend contract.
export { LeaderElector } from './election/leader-elector.js';
export type { ElectorCommonOptions, ElectorState, LeaderElectorOptions, OwnSessionsOptions, SuppliedSessionsOptions } from './election/leader-elector-options.js';
export type { CampaignHold } from './election/campaign-hold.js';
export { transferLeadership, type TransferLeadershipOptions, type TransferOutcome } from './election/transfer-leadership.js';
export type { ElectorEvent, LeaderListener } from './election/elector-listeners.js';
export type { SessionSource } from './election/session-source.js';
export { openStore, type OpenStoreOptions } from './backends/open-store.js';
export type * from './contract/contract.js';
export type { Json, JsonObject } from './contract/json.js';
export { DEFAULT_TIMING, validateTiming, type SessionTiming } from './contract/timing.js';
export type { Clock } from './clock.js';

// Errors: one hierarchy, told apart by `code`.
export {
  AbortedError, BatonError, ClosedError, ConfigError, CorruptDocumentError, FencedError, InvalidArgumentError,
  InvalidRoutingDataError, LeadershipEndedError, MissingPackageError, NodeIdInUseError, NotFoundError, PortInUseError,
  RefusedError, RoutingError, SessionLostError, StateError, StoreUnavailableError, UnsupportedError, VersionConflictError,
  isBatonError, type BatonErrorCode, type LeadershipEndReason, type NodeIdHolder,
} from './errors.js';

// What a node holds (the leadership, a bucket, a partition).
export type { Held, ReleaseReason } from './holding/held.js';
export type { AcquiredListener, ReleasedListener } from './holding/holder-events.js';

// Buckets (`node.buckets`) and the bucket a key belongs to.
export type { BucketsFeature } from './buckets/buckets-feature.js';
export type { BucketsConfig } from './buckets/buckets-config.js';
export type { BucketsLayoutName, BucketsOptions } from './buckets/buckets-options.js';
export type { BucketId } from './buckets/bucket-ids.js';
export { bucketOf } from './buckets/bucket-of.js';

// Partitions (`node.partitions(name)`), Pinot's key hashing and the client-side leader lookup.
export type { LeaderAnswer, PartitionLeadership } from './partitions/partition-leadership.js';
export type { PartitionsConfig, PartitionsEntryConfig } from './partitions/partitions-config.js';
export type { PartitionResourceOptions } from './partitions/resource-options.js';
export type { LeadControllerIdFormat } from './partitions/pinot-participant.js';
export { partitionOf } from './partitions/key-partition.js';
export { murmur2 } from './partitions/murmur2.js';
export { LeaderLocator, type LeaderLocatorOptions } from './partitions/leader-locator.js';

// The assignment engine behind buckets and partitions, as a pure function.
export { assign } from './assignment/assign.js';
export type { Assignment, AssignmentInput, AssignmentNode } from './assignment/types.js';

// Reading an Apache Amoro cluster's HA state (docs/amoro.md).
export { readAmoroHa } from './amoro/read-amoro-ha.js';
export type { AmoroHaView, AmoroLeader, AmoroNode, AmoroServerInfo } from './amoro/amoro-ha.js';
