/**
 * Reading the cluster's shared settings, for readers (the CLI, HTTP): they never write. A cluster
 * started by a baton from before stored settings has none until a node of this version starts;
 * readers then fall back to the configured value and say so.
 */
import type { Kv } from '../contract/contract.js';
import { CorruptDocumentError } from '../errors.js';
import { bucketSection, parseSettings, partitionSection, PARTITION_SETTINGS_PREFIX, type BucketSettings, type PartitionSettings, type SettingsSection } from './settings-layout.js';

/** A shared value as a reader uses it, and where it came from. */
export interface ReadSetting<T> {
  readonly value: T;
  /** `stored`: the cluster's; `configured`: none stored, the reader's configuration (or default). */
  readonly source: 'stored' | 'configured';
}

async function read<T>(kv: Kv, section: SettingsSection<T>, signal?: AbortSignal): Promise<T | null> {
  const entry = await kv.get(section.key, { signal });
  return entry === null ? null : parseSettings(section, entry.value);
}

/** The stored bucket settings, or null; CorruptDocumentError when the document is corrupt. */
export function readBucketSettings(kv: Kv, signal?: AbortSignal): Promise<BucketSettings | null> {
  return read(kv, bucketSection(), signal);
}

/** The stored settings of `resource`, or null; CorruptDocumentError when the document is corrupt. */
export function readPartitionSettings(kv: Kv, resource: string, signal?: AbortSignal): Promise<PartitionSettings | null> {
  return read(kv, partitionSection(resource), signal);
}

/** The stored bucket count, or `configured` when none is stored. */
export async function bucketCountOf(kv: Kv, configured: number, signal?: AbortSignal): Promise<ReadSetting<number>> {
  const stored = await readBucketSettings(kv, signal);
  return stored === null ? { value: configured, source: 'configured' } : { value: stored.count, source: 'stored' };
}

/** The stored partitions and replicas of `resource`, or `configured` when none are stored. */
export async function partitionSettingsOf(kv: Kv, resource: string, configured: PartitionSettings, signal?: AbortSignal): Promise<ReadSetting<PartitionSettings>> {
  const stored = await readPartitionSettings(kv, resource, signal);
  return stored === null ? { value: { partitions: configured.partitions, replicas: configured.replicas }, source: 'configured' } : { value: stored, source: 'stored' };
}

/** Every stored section; corrupt documents are passed to `onCorrupt` and left out. */
export interface StoredSettings {
  readonly buckets: BucketSettings | null;
  readonly partitions: Readonly<Record<string, PartitionSettings>>;
}

export async function readStoredSettings(kv: Kv, onCorrupt: (error: CorruptDocumentError) => void, signal?: AbortSignal): Promise<StoredSettings> {
  let buckets: BucketSettings | null = null;
  try {
    buckets = await readBucketSettings(kv, signal);
  } catch (error) {
    if (!isCorrupt(error)) throw error;
    onCorrupt(error);
  }
  const partitions: Record<string, PartitionSettings> = {};
  for (const entry of await kv.list(PARTITION_SETTINGS_PREFIX, { signal, onCorrupt })) {
    const resource = entry.key.slice(PARTITION_SETTINGS_PREFIX.length);
    if (resource.includes('/')) continue; // not a settings document (none is stored deeper)
    try {
      partitions[resource] = parseSettings(partitionSection(resource), entry.value);
    } catch (error) {
      if (!isCorrupt(error)) throw error;
      onCorrupt(error);
    }
  }
  return { buckets, partitions };
}

function isCorrupt(error: unknown): error is CorruptDocumentError {
  return error instanceof CorruptDocumentError;
}
