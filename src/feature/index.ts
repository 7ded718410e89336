/**
 * The feature contract: what the node runtime gives a feature (FeatureContext) and what a
 * feature supplies (a NodeFeature, its factory, its config section). Features import this,
 * never src/node/.
 */
export type { NodeFeature, NodeFeatureFactory, FeatureContext } from './feature.js';
export type { ClusterElector } from './cluster-elector.js';
export type { NodeConfig, StoreConfig, HttpConfig, AdvertiseConfig } from './node-config.js';
