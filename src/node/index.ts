export { BatonNode, startNode, type StartNodeOptions, type NodeState } from './baton-node.js';
export { openConfiguredStore, type OpenBackend } from './open-backend.js';
