import { ConfigError } from '../errors.js';

/**
 * Bucket ids are the decimal strings "1".."N" (Amoro's shape), kept as strings everywhere
 * (stored documents, events, `owned()`) and sorted numerically.
 */
export type BucketId = string;

/** Upper bound on `buckets.count`: a bucket is one election, so tens of thousands is already a lot. */
export const MAX_BUCKET_COUNT = 100_000;

/** Checks `buckets.count`: a whole number from 1 to MAX_BUCKET_COUNT; else ConfigError naming `key`. */
export function validateBucketCount(count: unknown, key = 'buckets.count'): number {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || count > MAX_BUCKET_COUNT) {
    throw new ConfigError(key, `must be a whole number from 1 to ${MAX_BUCKET_COUNT}, got ${String(count)}`);
  }
  return count;
}

/** The ids "1".."count". */
export function bucketIds(count: number): BucketId[] {
  return Array.from({ length: validateBucketCount(count) }, (_, i) => String(i + 1));
}

/** Whether `value` is one of "1".."count" (no sign, no leading zero). */
export function isBucketId(value: unknown, count: number): value is BucketId {
  if (typeof value !== 'string' || !/^[1-9][0-9]*$/.test(value)) return false;
  return Number(value) <= count;
}

/** Numeric order for bucket ids. */
export function compareBucketIds(a: BucketId, b: BucketId): number {
  return Number(a) - Number(b);
}

/** A sorted copy without duplicates. */
export function sortBuckets(buckets: Iterable<BucketId>): BucketId[] {
  return [...new Set(buckets)].sort(compareBucketIds);
}
