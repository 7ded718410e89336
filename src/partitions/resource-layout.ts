/**
 * Where a partitioned resource lives in the KV store, and its documents, validated on read:
 *
 *   partitions/{resource}/placement    {"partitions":24,"replicas":2,
 *                                       "assignment":{"0":["n1","n2"],...},
 *                                       "graceElapsedMs":{"n3":12000}}
 *                                      written only by the cluster leader, fenced
 *   partitions/{resource}/enabled      {"enabled":false}  absent: the configured default
 *   partitions/{resource}/keys/{seg}   {"name": "<table>"} the keys ("tables") the resource knows
 *
 * A key is any table name Pinot accepts (see {@link validateTableName}), of any length, so it is
 * not always a store key segment: a name of up to 128 letters, digits, `.`, `_`, `-` and `:` is
 * its own segment; any other name is stored under `@` + the SHA-256 of its UTF-16 code units
 * (hex), with the name itself in the document. Plain segments never contain `@`, so the two
 * never meet; a document without `name` is read as its segment (as registered before names
 * were stored).
 *
 * A corrupt document is reported with its key and read as absent; the leader rewrites a corrupt
 * placement on its next pass.
 */
import { createHash } from 'node:crypto';
import type { Kv, KvEntry } from '../contract/contract.js';
import { isJsonObject, type Json } from '../contract/json.js';
import { validateKey, validateSegment } from '../contract/names.js';
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

/** The KV prefix under which every resource keeps its documents. */
export const RESOURCES_PREFIX = 'partitions/';

export function resourcePrefix(resource: string): string {
  return `${RESOURCES_PREFIX}${validateResourceName(resource)}/`;
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
/**
 * Java's `Character.isWhitespace` (Java 17), which Pinot's rule applies to each UTF-16 unit:
 * the space separators except the no-break ones (U+00A0, U+2007, U+202F), the line and
 * paragraph separators, and the controls \t \n \v \f \r and U+001C-U+001F.
 */
// eslint-disable-next-line no-control-regex -- Java counts U+001C-U+001F as whitespace
const JAVA_WHITESPACE = /[\t\n\v\f\r\u001c-\u001f \u1680\u2000-\u2006\u2008-\u200a\u2028\u2029\u205f\u3000]/;
/** A table name that is its own store key segment (no `@`: that marks a hashed one). */
const PLAIN_SEGMENT = /^[A-Za-z0-9._:-]{1,128}$/;
/** A segment as names were stored before hashed ones existed (they could contain `@`). */
const LEGACY_SEGMENT = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * Returns `name` when Pinot accepts it as a table name (`TableConfigUtils.validateTableName`:
 * no whitespace, at most one `.`; no length limit), and it is not empty (Pinot's REST paths
 * cannot name an empty table); InvalidArgumentError otherwise.
 */
export function validateTableName(name: string): string {
  let problem: string | undefined;
  if (typeof name !== 'string' || name === '') problem = 'it is empty';
  else if (JAVA_WHITESPACE.test(name)) problem = 'it contains whitespace';
  else if (name.indexOf('.') !== name.lastIndexOf('.')) problem = 'it contains more than one "."';
  if (problem !== undefined) {
    throw new InvalidArgumentError(`key ${JSON.stringify(name)} is invalid: ${problem} (a table name as Pinot accepts it: no whitespace, at most one ".")`);
  }
  return name;
}

/** The store key segment of a (valid) table name. */
function keySegment(name: string): string {
  if (PLAIN_SEGMENT.test(name) && name !== '.') return name;
  return `@${createHash('sha256').update(name, 'utf16le').digest('hex')}`;
}

/** The KV key of a registered key; InvalidArgumentError when `key` is not a table name Pinot accepts. */
export function registeredKey(resource: string, key: string): string {
  return validateKey(`${keysPrefix(resource)}${keySegment(validateTableName(key))}`);
}

/**
 * Every KV key that may hold the registration of `key`: its own, and the one a name with `@`
 * was stored under before hashed segments existed (so removing it removes both).
 */
export function registeredKeys(resource: string, key: string): string[] {
  const own = registeredKey(resource, key);
  const legacy = LEGACY_SEGMENT.test(key) && key !== '.' && key !== '..' ? `${keysPrefix(resource)}${key}` : own;
  return legacy === own ? [own] : [own, legacy];
}

/** The document of a registered key. */
export function registeredKeyDocument(key: string): Json {
  return { name: key };
}

/** The table name a registration entry stands for. */
export function tableNameOf(resource: string, entry: KvEntry): string {
  const name = isJsonObject(entry.value) ? entry.value['name'] : undefined;
  return typeof name === 'string' ? name : entry.key.slice(keysPrefix(resource).length);
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
  const keys = [...new Set(entries.filter((e) => e.key.startsWith(keysRoot)).map((e) => tableNameOf(resource, e)))].sort(compareNames);
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

/** Code-unit order, the order KV listings use (so names sort the same whatever their segment). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
