/**
 * The operator's two maintenance verbs, written once for the CLI and the HTTP API: turn the
 * freeze on (with a reason and an optional duration) or off, each recorded in the action log.
 * Neither is fenced: they are requests (operations-layout.ts), and the leader's next pass,
 * woken by the change, acts on them.
 */
import type { CallOptions, Kv } from '../contract/contract.js';
import { InvalidArgumentError } from '../errors.js';
import { recordAction } from './action-log.js';
import { clearMaintenance, readMaintenance, setMaintenance, type Maintenance } from './maintenance.js';

/** A reason is for people; this keeps the document and every log line small. */
export const MAINTENANCE_REASON_MAX = 500;
/** The longest `--for`: a freeze meant to last longer is turned off by hand (until: null). */
export const MAINTENANCE_FOR_MAX_MS = 30 * 24 * 60 * 60 * 1000;

export interface MaintenanceOnRequest {
  readonly reason: string;
  /** Who asked (operatorName()). */
  readonly by: string;
  /** How long it lasts (ms); omitted: until turned off. */
  readonly forMs?: number;
  /** The writer's wall clock (epoch ms) that stamps `since` and `until`. Default: Date.now. */
  readonly wallClock?: () => number;
}

/** Turns the freeze on (replacing one already on) and records `maintenance-on`; InvalidArgumentError for an empty or long reason or a bad duration. */
export async function turnMaintenanceOn(kv: Kv, request: MaintenanceOnRequest, options: CallOptions = {}): Promise<Maintenance> {
  const reason = request.reason.trim();
  if (reason === '') throw new InvalidArgumentError('maintenance needs a reason (--reason TEXT): it is shown to everyone who sees the freeze');
  if (reason.length > MAINTENANCE_REASON_MAX) throw new InvalidArgumentError(`the maintenance reason has ${reason.length} characters; keep it to ${MAINTENANCE_REASON_MAX}`);
  const { forMs } = request;
  if (forMs !== undefined && !(Number.isSafeInteger(forMs) && forMs > 0 && forMs <= MAINTENANCE_FOR_MAX_MS)) {
    throw new InvalidArgumentError(`the maintenance duration must be from 1 ms to 30 days, got ${String(forMs)} ms; leave it out to freeze until "maintenance off"`);
  }
  const now = (request.wallClock ?? Date.now)();
  const maintenance: Maintenance = {
    reason,
    by: request.by,
    since: new Date(now).toISOString(),
    until: forMs === undefined ? null : new Date(now + forMs).toISOString(),
    auto: false,
  };
  await setMaintenance(kv, maintenance, options);
  await recordAction(kv, { verb: 'maintenance-on', by: request.by, detail: { reason, until: maintenance.until } }, options);
  return maintenance;
}

export interface MaintenanceOffRequest {
  /** Who asked (operatorName()). */
  readonly by: string;
  /**
   * The node ids live when the freeze is turned off, stored with the action: a leader elected
   * later counts only nodes that vanished after this (were live here) towards an automatic
   * freeze; the ones already gone are the operator's choice to let go (placement-freeze.ts).
   */
  readonly live: readonly string[];
}

/** Turns the freeze off and records `maintenance-off` with what was on (null: nothing was) and who was live; resolves with what was on. */
export async function turnMaintenanceOff(kv: Kv, request: MaintenanceOffRequest, options: CallOptions = {}): Promise<Maintenance | null> {
  const { maintenance, active } = await readMaintenance(kv, options);
  await clearMaintenance(kv, options);
  const was = active ? maintenance : null;
  const detail = { was: was === null ? null : { reason: was.reason, by: was.by, auto: was.auto }, live: [...request.live].sort() };
  await recordAction(kv, { verb: 'maintenance-off', by: request.by, detail }, options);
  return was;
}
