/** Partitioned leadership: Pinot's lead controller resource with standby replicas. */
export { DEFAULT_PARTITIONS, partitionOf, rawTableName } from './key-partition.js';
export { murmur2 } from './murmur2.js';
export { LeaderLocator, MIN_INVALIDATE_INTERVAL_MS, type LeaderLocatorOptions } from './leader-locator.js';
export { leaderTables, leaderForTableText, partitionName, type LeadControllerEntry, type LeadControllerResponse } from './leader-tables.js';
export { PartitionLeadership, type LeaderAnswer, type PartitionItems } from './partition-leadership.js';
export { PartitionsFeature, partitionsFeatureFactory, PARTITIONS_FEATURE } from './partitions-feature.js';
export { actingMaster, partitionLayout, partitionTiming, type ResourceView } from './partition-layout.js';
export { planPlacement, type PlacementInput, type PlacementPlan } from './placement-plan.js';
export { addResourceKey, listResourceKeys, readResourceEnabled, removeResourceKey, setResourceEnabled } from './resource-admin.js';
export { partitionElection, placementKey, enabledKey, keysPrefix, type PlacementDoc } from './resource-layout.js';
export { DEFAULT_RESOURCE_OPTIONS, LEAD_CONTROLLER_RESOURCE, validateResourceOptions, type PartitionResourceOptions } from './resource-options.js';
export { readStoredTables, type StoredTablesOptions } from './stored-tables.js';
