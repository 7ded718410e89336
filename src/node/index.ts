export { BatonNode, type StartNodeOptions, type NodeState } from './baton-node.js';
export type { NodeSurface } from './node-surface.js';
export { openConfiguredStore, type OpenBackend } from './open-backend.js';
