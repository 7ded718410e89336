export { BatonNode, startNode, type StartNodeOptions, type NodeState } from './baton-node.js';
export type { NodeFeature, NodeFeatureFactory, FeatureContext } from './feature.js';
export { openConfiguredStore, type OpenBackend } from './open-backend.js';
