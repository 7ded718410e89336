/**
 * Everything under `operations/` as one read-only view, for `GET /operations`, the dashboard and
 * `baton maintenance status`: the maintenance freeze (judged now), every other stored request
 * as it is stored (drain requests, a leader transfer, and whatever verb is added later, so a new
 * verb shows up without a change here), and the action log.
 */
import type { CallOptions, Kv } from '../contract/contract.js';
import type { Json } from '../contract/json.js';
import { readActions, type OperatorAction } from './action-log.js';
import { maintenanceJson, readMaintenance, type MaintenanceReadOptions } from './maintenance.js';
import { ACTION_LOG_KEY, MAINTENANCE_KEY, OPERATIONS_PREFIX } from './operations-layout.js';

export interface MaintenanceView {
  /** On now (stored, parsed, not expired). */
  readonly active: boolean;
  /** The stored document (also an expired one), or null. */
  readonly stored: Json;
  /** Why the stored document reads as off although present, or null. */
  readonly problem: string | null;
}

export interface OperationsView {
  readonly maintenance: MaintenanceView;
  /** Every other request under operations/, by its key without the prefix ("drain/n1", "leader-transfer"). */
  readonly requests: Readonly<Record<string, Json>>;
  /** The action log, oldest first. */
  readonly actions: readonly OperatorAction[];
}

/** Reads the view; documents that are not JSON are left out of `requests`. */
export async function readOperations(kv: Kv, options: MaintenanceReadOptions = {}): Promise<OperationsView> {
  const call: CallOptions = options.signal ? { signal: options.signal } : {};
  const [reading, entries, actions] = await Promise.all([readMaintenance(kv, options), kv.list(OPERATIONS_PREFIX, { ...call, onCorrupt: () => undefined }), readActions(kv, call)]);
  const requests: Record<string, Json> = {};
  for (const entry of entries) {
    if (entry.key === MAINTENANCE_KEY || entry.key === ACTION_LOG_KEY) continue;
    Object.defineProperty(requests, entry.key.slice(OPERATIONS_PREFIX.length), { value: entry.value, enumerable: true });
  }
  const expired = reading.maintenance !== null && !reading.active;
  return {
    maintenance: {
      active: reading.active,
      stored: reading.maintenance === null ? null : maintenanceJson(reading.maintenance),
      problem: reading.corrupt ? reading.corrupt.message : expired ? `expired at ${reading.maintenance.until ?? ''}` : null,
    },
    requests,
    actions,
  };
}
