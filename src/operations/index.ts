export { ACTION_LOG_LIMIT, readActions, recordAction, type OperatorAction } from './action-log.js';
export { operatorName } from './operator-name.js';
export { ACTION_LOG_KEY, DRAIN_PREFIX, drainKey, LEADER_TRANSFER_KEY, MAINTENANCE_KEY, OPERATIONS_PREFIX } from './operations-layout.js';
export {
  clearMaintenance,
  maintenanceActive,
  maintenanceJson,
  parseMaintenance,
  readMaintenance,
  setMaintenance,
  type Maintenance,
  type MaintenanceReading,
  type MaintenanceReadOptions,
  type MaintenanceWriteOptions,
} from './maintenance.js';
export {
  endLeaderTransfer,
  LEADER_TRANSFER_VERB,
  OPERATOR_REASON,
  PREFERRED_LEADER_REASON,
  readLeaderTransfer,
  sameRequest,
  standBy,
  writeLeaderTransfer,
  type LeaderTransferRequest,
  type NewLeaderTransfer,
} from './leader-transfer-request.js';
export { MAINTENANCE_FOR_MAX_MS, MAINTENANCE_REASON_MAX, turnMaintenanceOff, turnMaintenanceOn, type MaintenanceOffRequest, type MaintenanceOnRequest } from './maintenance-switch.js';
export { readOperations, type MaintenanceView, type OperationsView } from './operations-view.js';
export { clearDrainRequest, drainingNow, drainRequestJson, readDrainRequest, readDrainRequests, writeDrainRequest, type DrainRequest } from './drain-request.js';
