export { LeaderElector } from './leader-elector.js';
export { CLUSTER_LEADER_ELECTION, type ElectorState, type LeaderElectorOptions } from './leader-elector-options.js';
