/**
 * The features a node runs, in start order (stopped in reverse). A feature adds itself here
 * with one line.
 */
import { bucketsFeatureFactory } from '../buckets/buckets-feature.js';
import { partitionsFeatureFactory } from '../partitions/partitions-feature.js';
import type { BatonConfig } from '../config/types.js';
import type { NodeFeatureFactory } from '../feature/feature.js';

export const featureFactories: readonly NodeFeatureFactory<BatonConfig>[] = [bucketsFeatureFactory, partitionsFeatureFactory];
