/**
 * Where bucket assignments live in the KV store (Amoro's shape, one folder per node):
 *
 *   bucket-assignments/{nodeId}/assignments       JSON array of bucket ids, e.g. ["1","7"]
 *   bucket-assignments/{nodeId}/last-update-time  epoch ms of the leader's last write (display;
 *                                                 its ABSENCE marks a node that left gracefully)
 *   bucket-assignments/{nodeId}/offline-grace     {"elapsedMs": n}: how much of its offline grace
 *                                                 an absent node has used (so a new leader
 *                                                 continues the grace instead of restarting it)
 *
 * Only the cluster leader writes these, with fenced writes; the one exception is a node that
 * leaves gracefully, which deletes its own last-update-time.
 */
import type { Kv, KvEntry } from '../contract/contract.js';
import { validateSegment } from '../contract/names.js';
import { CorruptDocumentError } from '../errors.js';
import type { Json } from '../contract/json.js';
import { isJsonObject } from '../contract/json.js';
import { isBucketId, sortBuckets, type BucketId } from './bucket-ids.js';

export const ASSIGNMENTS_ROOT = 'bucket-assignments/';
const FOLDER_KEY = ASSIGNMENTS_ROOT.slice(0, -1);

export function nodePrefix(nodeId: string): string {
  return `${ASSIGNMENTS_ROOT}${validateSegment('node id', nodeId)}/`;
}
export function assignmentsKey(nodeId: string): string {
  return `${nodePrefix(nodeId)}assignments`;
}
export function lastUpdateKey(nodeId: string): string {
  return `${nodePrefix(nodeId)}last-update-time`;
}
export function graceKey(nodeId: string): string {
  return `${nodePrefix(nodeId)}offline-grace`;
}

/** A stored value with the version to expect when overwriting it. */
export interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** A stored document: valid, 'corrupt' (reported, to be repaired) or absent (null). */
export type Stored<T> = Versioned<T> | 'corrupt' | null;

/** The `expectVersion` that overwrites `stored`: a corrupt document is overwritten unconditionally. */
export function expectOf(stored: Stored<unknown>): number | null | undefined {
  return stored === 'corrupt' ? undefined : stored === null ? null : stored.version;
}

/** One node's stored folder. */
export interface NodeRecord {
  readonly nodeId: string;
  readonly assignments: Stored<BucketId[]>;
  readonly lastUpdateTime: Stored<number>;
  readonly graceElapsedMs: Stored<number>;
}

/** Validates an assignments document: a JSON array of distinct ids "1".."count". */
export function parseAssignments(key: string, value: Json, count: number): BucketId[] {
  if (!Array.isArray(value)) throw new CorruptDocumentError(key, 'expected a JSON array of bucket ids');
  const bad = value.find((id) => !isBucketId(id, count));
  if (bad !== undefined) {
    throw new CorruptDocumentError(key, `${JSON.stringify(bad)} is not a bucket id from "1" to "${count}"`);
  }
  return sortBuckets(value as string[]);
}

/**
 * Reads every node's folder. Corrupt documents are passed to `onCorrupt` (with their key) and
 * come back as 'corrupt', never as an exception.
 */
export async function readAssignmentTable(
  kv: Kv,
  count: number,
  onCorrupt: (error: CorruptDocumentError) => void,
  signal?: AbortSignal,
): Promise<Map<string, NodeRecord>> {
  const corruptKeys = new Set<string>();
  const entries = await kv.list(ASSIGNMENTS_ROOT, {
    signal,
    onCorrupt: (error) => {
      // The folder itself is no document; in Amoro's layout it holds Curator's default data (amoro-store.ts).
      if (error.key === FOLDER_KEY) return;
      corruptKeys.add(error.key);
      onCorrupt(error);
    },
  });
  const folders = new Map<string, Map<string, KvEntry>>();
  const note = (nodeId: string) => folders.get(nodeId) ?? folders.set(nodeId, new Map()).get(nodeId)!;
  for (const entry of entries) {
    const [nodeId, name] = splitKey(entry.key);
    if (nodeId !== undefined && name !== undefined) note(nodeId).set(name, entry);
  }
  for (const key of corruptKeys) {
    const [nodeId] = splitKey(key);
    if (nodeId !== undefined) note(nodeId);
  }
  const table = new Map<string, NodeRecord>();
  for (const [nodeId, folder] of [...folders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    table.set(nodeId, {
      nodeId,
      assignments: readAssignments(nodeId, folder.get('assignments'), corruptKeys, count, onCorrupt),
      lastUpdateTime: readNumber(lastUpdateKey(nodeId), folder, corruptKeys, (v) => v, onCorrupt),
      graceElapsedMs: readNumber(
        graceKey(nodeId),
        folder,
        corruptKeys,
        (v) => (isJsonObject(v) ? v['elapsedMs'] : undefined),
        onCorrupt,
      ),
    });
  }
  return table;
}

function splitKey(key: string): [string | undefined, string | undefined] {
  const rest = key.slice(ASSIGNMENTS_ROOT.length).split('/');
  return rest.length === 2 ? [rest[0], rest[1]] : [undefined, undefined];
}

function readAssignments(
  nodeId: string,
  entry: KvEntry | undefined,
  corruptKeys: ReadonlySet<string>,
  count: number,
  onCorrupt: (error: CorruptDocumentError) => void,
): Stored<BucketId[]> {
  const key = assignmentsKey(nodeId);
  if (entry === undefined) return corruptKeys.has(key) ? 'corrupt' : null;
  try {
    return { value: parseAssignments(key, entry.value, count), version: entry.version };
  } catch (error) {
    if (!(error instanceof CorruptDocumentError)) throw error;
    onCorrupt(error);
    return 'corrupt';
  }
}

function readNumber(
  key: string,
  folder: ReadonlyMap<string, KvEntry>,
  corruptKeys: ReadonlySet<string>,
  pick: (value: Json) => unknown,
  onCorrupt: (error: CorruptDocumentError) => void,
): Stored<number> {
  const entry = folder.get(key.slice(key.lastIndexOf('/') + 1));
  if (entry === undefined) return corruptKeys.has(key) ? 'corrupt' : null;
  const value = pick(entry.value);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return { value, version: entry.version };
  onCorrupt(new CorruptDocumentError(key, 'expected a non-negative number of milliseconds'));
  return 'corrupt';
}
