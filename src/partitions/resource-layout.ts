/**
 * Where a partitioned resource lives in the KV store, and its documents, validated on read:
 *
 *   partitions/{resource}/placement    {"partitions":24,"replicas":2,
 *                                       "assignment":{"0":["n1","n2"],...},
 *                                       "graceElapsedMs":{"n3":12000}}
 *                                      written only by the cluster leader, fenced
 *   partitions/{resource}/enabled      {"enabled":false}  absent: the configured default
 *   partitions/{resource}/keys/{key}   {}                  the keys ("tables") the resource knows
 *
 * A corrupt document is reported with its key and read as absent; the leader rewrites a corrupt
 * placement on its next pass.
 */
import type { Kv, KvEntry } from '../backend/contract.js';
import { isJsonObject, type Json } from '../backend/json.js';
import { validateKey, validateSegment } from '../backend/names.js';
import { CorruptDocumentError, InvalidArgumentError } from '../errors.js';

/** item -> [master, ...standbys]; items are the partition numbers as strings "0".."N-1". */
export type PartitionAssignment = Readonly<Record<string, readonly string[]>>;

export interface PlacementDoc {
  readonly partitions: number;
  readonly replicas: number;
  readonly assignment: PartitionAssignment;
  /** Grace already used by each vanished node that still has a place (ms, leaders' clocks). */
  readonly graceElapsedMs: Readonly<Record<string, number>>;
}

/** Everything a node reads of one resource, with the versions to expect when overwriting. */
export interface ResourceState {
  readonly placement: PlacementDoc | null;
  /** Version of the placement document; null when absent, undefined when corrupt. */
  readonly placementVersion: number | null | undefined;
  /** The stored flag, or null when none is stored. */
  readonly enabled: boolean | null;
  /** The keys registered for the resource, sorted. */
  readonly keys: readonly string[];
}

/** A resource name is one key segment; InvalidArgumentError otherwise. */
export function validateResourceName(resource: string): string {
  try {
    return validateSegment('cluster name', resource);
  } catch {
    throw new InvalidArgumentError(`resource name "${String(resource)}" is invalid: use 1-128 letters, digits, ".", "_", "-", ":" or "@" (no "/")`);
  }
}

export function resourcePrefix(resource: string): string {
  return `partitions/${validateResourceName(resource)}/`;
}
export function placementKey(resource: string): string {
  return `${resourcePrefix(resource)}placement`;
}
export function enabledKey(resource: string): string {
  return `${resourcePrefix(resource)}enabled`;
}
export function keysPrefix(resource: string): string {
  return `${resourcePrefix(resource)}keys/`;
}
/** The KV key of a registered key; InvalidArgumentError when `key` is not one key segment. */
export function registeredKey(resource: string, key: string): string {
  const full = `${keysPrefix(resource)}${key}`;
  try {
    if (key.includes('/')) throw new InvalidArgumentError('contains "/"');
    return validateKey(full);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw new InvalidArgumentError(`key "${key}" is invalid: use 1-128 letters, digits, ".", "_", "-", ":" or "@" (a table name such as baseballStats_OFFLINE)`);
  }
}
/** The election a partition's master holds. */
export function partitionElection(resource: string, partition: number): string {
  return `partition/${resource}/${partition}`;
}

/** Reads the whole resource in one listing; corrupt documents go to `onCorrupt`. */
export async function readResource(
  kv: Kv,
  resource: string,
  partitions: number,
  onCorrupt: (error: CorruptDocumentError) => void,
  signal?: AbortSignal,
): Promise<ResourceState> {
  const corrupt = new Set<string>();
  const entries = await kv.list(resourcePrefix(resource), {
    signal,
    onCorrupt: (error) => {
      corrupt.add(error.key);
      onCorrupt(error);
    },
  });
  const byKey = new Map<string, KvEntry>(entries.map((e) => [e.key, e]));
  const keysRoot = keysPrefix(resource);
  const keys = entries.filter((e) => e.key.startsWith(keysRoot)).map((e) => e.key.slice(keysRoot.length));
  let placement: PlacementDoc | null = null;
  let placementVersion: number | null | undefined = corrupt.has(placementKey(resource)) ? undefined : null;
  const stored = byKey.get(placementKey(resource));
  if (stored !== undefined) {
    try {
      placement = parsePlacement(stored.key, stored.value, partitions);
      placementVersion = stored.version;
    } catch (error) {
      if (!(error instanceof CorruptDocumentError)) throw error;
      onCorrupt(error);
      placementVersion = undefined;
    }
  }
  return { placement, placementVersion, enabled: parseEnabled(byKey.get(enabledKey(resource)), onCorrupt), keys };
}

/** Validates a placement document for a resource of `partitions` partitions. */
export function parsePlacement(key: string, value: Json, partitions: number): PlacementDoc {
  if (!isJsonObject(value)) throw new CorruptDocumentError(key, 'expected a JSON object');
  const { assignment, graceElapsedMs, replicas } = value;
  if (value['partitions'] !== partitions) {
    throw new CorruptDocumentError(key, `placement is for ${String(value['partitions'])} partitions, this resource has ${partitions}`);
  }
  if (typeof replicas !== 'number' || !Number.isSafeInteger(replicas) || replicas < 1) throw new CorruptDocumentError(key, 'replicas must be a positive whole number');
  if (!isJsonObject(assignment)) throw new CorruptDocumentError(key, 'assignment must be an object of partition -> node ids');
  const lists: Record<string, readonly string[]> = {};
  for (const [item, nodes] of Object.entries(assignment)) {
    const partition = Number(item);
    if (!/^\d+$/.test(item) || partition >= partitions) throw new CorruptDocumentError(key, `"${item}" is not a partition from 0 to ${partitions - 1}`);
    if (!Array.isArray(nodes) || !nodes.every(isNodeId) || new Set(nodes).size !== nodes.length) {
      throw new CorruptDocumentError(key, `partition ${item} must list distinct node ids`);
    }
    lists[item] = Object.freeze([...(nodes as string[])]);
  }
  const grace: Record<string, number> = {};
  for (const [nodeId, ms] of Object.entries(isJsonObject(graceElapsedMs) ? graceElapsedMs : {})) {
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) grace[nodeId] = ms;
  }
  return Object.freeze({ partitions, replicas, assignment: Object.freeze(lists), graceElapsedMs: Object.freeze(grace) });
}

/** The document form of a placement. */
export function placementJson(doc: PlacementDoc): Json {
  const assignment: Record<string, Json> = {};
  for (const [item, nodes] of Object.entries(doc.assignment)) assignment[item] = [...nodes];
  return { partitions: doc.partitions, replicas: doc.replicas, assignment, graceElapsedMs: { ...doc.graceElapsedMs } };
}

function parseEnabled(entry: KvEntry | undefined, onCorrupt: (error: CorruptDocumentError) => void): boolean | null {
  if (entry === undefined) return null;
  if (isJsonObject(entry.value) && typeof entry.value['enabled'] === 'boolean') return entry.value['enabled'];
  onCorrupt(new CorruptDocumentError(entry.key, 'expected {"enabled": true|false}'));
  return null;
}

function isNodeId(value: unknown): boolean {
  try {
    validateSegment('node id', value as string);
    return true;
  } catch {
    return false;
  }
}
