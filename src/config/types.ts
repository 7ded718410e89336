import type { BucketsConfig } from '../buckets/buckets-config.js';
import type { NodeConfig } from '../feature/node-config.js';
import type { PartitionsConfig } from '../partitions/partitions-config.js';

/**
 * A validated, frozen node configuration (see README "Configuration"): the node's own settings
 * plus one optional field per feature section, typed by its feature, as sections/index.ts
 * composes the schema.
 */
export interface BatonConfig extends NodeConfig {
  /** Bucket assignment (section `buckets`, src/buckets/buckets-config.ts). */
  readonly buckets?: BucketsConfig;
  /** Partitioned resources by name (section `partitions`, src/partitions/partitions-config.ts). */
  readonly partitions?: PartitionsConfig;
}

