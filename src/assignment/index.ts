/** The assignment engine and helpers over its results. */
export { assign } from './assign.js';
export { memberNode } from './member-node.js';
export { countMoves, loadsOf, primariesOf } from './metrics.js';
export type { Assignment, AssignmentInput, AssignmentNode } from './types.js';
