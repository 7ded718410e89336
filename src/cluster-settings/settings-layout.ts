/**
 * Where the cluster's shared settings live in the KV store, one document per section:
 *
 *   settings/buckets                {"count": 64}
 *   settings/partitions/{resource}  {"partitions": 24, "replicas": 2}
 *
 * The `settings/` prefix is apart from every other stored folder (`bucket-assignments/`,
 * `partitions/`), so listing those never meets a settings document. The first node that starts
 * with a section enabled creates its document (compare-and-set: "must not exist"); nobody
 * rewrites it except `baton settings set`, with every node stopped.
 */
import { isJsonObject, type Json } from '../contract/json.js';
import { validateSegment } from '../contract/names.js';
import { CorruptDocumentError } from '../errors.js';

export const SETTINGS_PREFIX = 'settings/';
export const BUCKET_SETTINGS_KEY = `${SETTINGS_PREFIX}buckets`;
export const PARTITION_SETTINGS_PREFIX = `${SETTINGS_PREFIX}partitions/`;

/** The bucket section every node of a cluster must share. */
export interface BucketSettings {
  readonly count: number;
}

/** The part of a partitioned resource every node of a cluster must share. */
export interface PartitionSettings {
  readonly partitions: number;
  readonly replicas: number;
}

/** One shared section: its key, how its config keys are named, and its fields. */
export interface SettingsSection<T> {
  readonly key: string;
  /** The config path of the section, e.g. `buckets` or `partitions.leadControllerResource`. */
  readonly configPath: string;
  readonly fields: readonly (keyof T & string)[];
}

export function bucketSection(): SettingsSection<BucketSettings> {
  return { key: BUCKET_SETTINGS_KEY, configPath: 'buckets', fields: ['count'] };
}

export function partitionSection(resource: string): SettingsSection<PartitionSettings> {
  // A resource name is one key segment (partitions/resource-options.ts validates it the same way).
  const name = validateSegment('cluster name', resource);
  return { key: `${PARTITION_SETTINGS_PREFIX}${name}`, configPath: `partitions.${name}`, fields: ['partitions', 'replicas'] };
}

/** Validates a stored document: an object whose fields are all positive whole numbers. */
export function parseSettings<T>(section: SettingsSection<T>, value: Json): T {
  if (!isJsonObject(value)) throw new CorruptDocumentError(section.key, 'expected a JSON object');
  const parsed: Record<string, number> = {};
  for (const field of section.fields) {
    const got = value[field];
    if (typeof got !== 'number' || !Number.isSafeInteger(got) || got < 1) {
      throw new CorruptDocumentError(section.key, `"${field}" must be a positive whole number, got ${JSON.stringify(got ?? null)}`);
    }
    parsed[field] = got;
  }
  return Object.freeze(parsed) as T;
}

/** The document stored for `settings` (only the section's fields). */
export function settingsJson<T>(section: SettingsSection<T>, settings: T): Json {
  return Object.fromEntries(section.fields.map((field) => [field, settings[field] as unknown as number]));
}

/** The fields on which two values differ. */
export function differingFields<T>(section: SettingsSection<T>, a: T, b: T): (keyof T & string)[] {
  return section.fields.filter((field) => a[field] !== b[field]);
}
