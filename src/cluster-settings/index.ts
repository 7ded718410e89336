/**
 * The cluster's shared settings: what every node of a cluster must configure alike (the bucket
 * count, each partitioned resource's partitions and replicas), stored by the cluster on first
 * start, checked by every node at start and read by every reader. See docs/settings.md.
 */
export { agreeOnBucketSettings, agreeOnPartitionSettings, type AgreeContext } from './agree-settings.js';
export { changeSettings, type SettingsChange } from './change-settings.js';
export { bucketCountOf, partitionSettingsOf, readBucketSettings, readPartitionSettings, readStoredSettings, type ReadSetting, type StoredSettings } from './read-settings.js';
export { BUCKET_SETTINGS_KEY, PARTITION_SETTINGS_PREFIX, SETTINGS_PREFIX, bucketSection, partitionSection, type BucketSettings, type PartitionSettings, type SettingsSection } from './settings-layout.js';
export { describeValue, settingsCommand } from './settings-text.js';
