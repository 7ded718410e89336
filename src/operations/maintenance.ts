/**
 * The maintenance document (`operations/maintenance`): while it is on, the cluster leader's
 * placement passes move no item (owned-items/item-placement.ts), for buckets and partitions
 * alike. Nodes may come and go; a new node gets nothing and a vanished node keeps its slots,
 * even past its offline grace. Who holds an item is still decided by the item's election, so a
 * freeze can leave an item waiting without a holder but never give it two.
 *
 * Expiry (`until`): judged by whoever reads the document (the leader before every pass, the
 * CLI and HTTP for status), each on its own WALL clock, against the wall time the writer
 * stored. The wall clock is the only clock the operator's machine and every node share; the
 * monotonic clocks that time leases mean nothing across processes. A skew between the writer
 * and the leader only moves the end of the freeze by that skew, and when moves resume is not
 * a safety question (holding is still decided by the elections), so wall time is enough here.
 * The leader looks again when the expiry comes (the pass asks for it) and on every change of
 * the document (it watches `operations/`). An expired freeze reads as off; nobody deletes it.
 */
import type { CallOptions, Fence, Kv } from '../contract/contract.js';
import { isJsonObject, type Json, type JsonObject } from '../contract/json.js';
import { CorruptDocumentError } from '../errors.js';
import { MAINTENANCE_KEY } from './operations-layout.js';

/** A freeze of all placement moves, as stored. */
export interface Maintenance {
  /** Why (shown by status, the dashboard and the action log). */
  readonly reason: string;
  /** Who turned it on: an operator name, or for an automatic freeze the leader's node id. */
  readonly by: string;
  /** When it was turned on: the writer's wall clock, ISO 8601. */
  readonly since: string;
  /** When it ends by itself: the writer's wall clock, ISO 8601; null: until turned off. */
  readonly until: string | null;
  /** Turned on by the leader when many nodes vanished at once (placement.autoFreeze). */
  readonly auto: boolean;
}

/** The stored document as read: the freeze (null when absent or corrupt), whether it is on now, and the version to compare-and-set against. */
export interface MaintenanceReading {
  readonly maintenance: Maintenance | null;
  /** On now: stored, not corrupt, and not past `until` on the reader's wall clock. */
  readonly active: boolean;
  /** The key's version (null when absent), for a compare-and-set. */
  readonly version: number | null;
  /** Set when the stored document does not parse; it then reads as off. */
  readonly corrupt?: CorruptDocumentError;
}

export interface MaintenanceReadOptions extends CallOptions {
  /** The reader's wall clock (epoch ms) that judges `until`. Default: Date.now. */
  readonly wallClock?: () => number;
}

/** Whether `maintenance` is on at wall time `nowMs` (epoch ms). */
export function maintenanceActive(maintenance: Maintenance, nowMs: number): boolean {
  return maintenance.until === null || Date.parse(maintenance.until) > nowMs;
}

/** Reads the freeze; a corrupt document reads as off (reported on `corrupt`), as every corrupt stored document reads as absent. */
export async function readMaintenance(kv: Kv, options: MaintenanceReadOptions = {}): Promise<MaintenanceReading> {
  const { wallClock = Date.now, ...call } = options;
  let entry;
  try {
    entry = await kv.get(MAINTENANCE_KEY, call);
  } catch (error) {
    if (error instanceof CorruptDocumentError) return { maintenance: null, active: false, version: null, corrupt: error };
    throw error;
  }
  if (entry === null) return { maintenance: null, active: false, version: null };
  try {
    const maintenance = parseMaintenance(entry.value);
    return { maintenance, active: maintenanceActive(maintenance, wallClock()), version: entry.version };
  } catch (error) {
    return { maintenance: null, active: false, version: entry.version, corrupt: error as CorruptDocumentError };
  }
}

export interface MaintenanceWriteOptions extends CallOptions {
  /** Compare-and-set: the version the key must have (null: absent); omitted: overwrite. */
  readonly expectVersion?: number | null;
  /** The leader's term, for an automatic freeze: a deposed leader's write is refused. */
  readonly fence?: Fence;
}

/** Stores `maintenance` (on); resolves with the key's new version. */
export function setMaintenance(kv: Kv, maintenance: Maintenance, options: MaintenanceWriteOptions = {}): Promise<number> {
  return kv.put(MAINTENANCE_KEY, maintenanceJson(maintenance), options);
}

/** Deletes the document (off); deleting an absent one succeeds. */
export function clearMaintenance(kv: Kv, options: MaintenanceWriteOptions = {}): Promise<void> {
  return kv.delete(MAINTENANCE_KEY, options);
}

/** The document, checked field by field; CorruptDocumentError naming the field that is wrong. */
export function parseMaintenance(value: Json): Maintenance {
  const wrong = (problem: string) => new CorruptDocumentError(MAINTENANCE_KEY, problem);
  if (!isJsonObject(value)) throw wrong('not a JSON object');
  const { reason, by, since, until, auto } = value;
  if (typeof reason !== 'string') throw wrong('reason is not a string');
  if (typeof by !== 'string') throw wrong('by is not a string');
  if (typeof since !== 'string' || Number.isNaN(Date.parse(since))) throw wrong('since is not an ISO 8601 time');
  if (until !== null && (typeof until !== 'string' || Number.isNaN(Date.parse(until)))) throw wrong('until is neither null nor an ISO 8601 time');
  if (typeof auto !== 'boolean') throw wrong('auto is not a boolean');
  return { reason, by, since, until, auto };
}

/** The document as stored (and as the CLI and HTTP print it). */
export function maintenanceJson(maintenance: Maintenance): JsonObject {
  return { reason: maintenance.reason, by: maintenance.by, since: maintenance.since, until: maintenance.until, auto: maintenance.auto };
}
