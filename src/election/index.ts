export { LeaderElector } from './leader-elector.js';
export { anyHold, type CampaignHold } from './campaign-hold.js';
export { LeaderTransferHold, STAND_BY_WAIT_PERIODS, TRANSFER_HOLD_PERIODS, type LeaderTransferHoldOptions } from './leader-transfer-hold.js';
export { PreferredLeader, type PreferredLeaderOptions } from './preferred-leader.js';
export { transferLeadership, type TransferLeadershipOptions, type TransferOutcome } from './transfer-leadership.js';
export { CLUSTER_LEADER_ELECTION, type ElectorState, type LeaderElectorOptions, type OwnSessionsOptions, type SuppliedSessionsOptions } from './leader-elector-options.js';
export { ELECTOR_EVENTS, type ElectorEvent, type LeaderListener } from './elector-listeners.js';
export { FATAL_SESSION_CODES, MAX_SESSION_BACKOFF_PERIODS, SuppliedSessions, type SessionSource } from './session-source.js';
