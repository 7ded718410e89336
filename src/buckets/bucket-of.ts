import { InvalidArgumentError } from '../errors.js';
import { MAX_BUCKET_COUNT, type BucketId } from './bucket-ids.js';

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

/**
 * The bucket ("1".."bucketCount") that owns `key`, the same on every node and in every release:
 * `fnv1a32(utf8(key)) % bucketCount + 1`, where fnv1a32 is the 32-bit FNV-1a hash (offset basis
 * 0x811c9dc5, prime 0x01000193, each byte XORed in before the multiply) of the key's UTF-8 bytes
 * as TextEncoder writes them (an unpaired surrogate becomes U+FFFD). Any language can compute
 * it from these two lines; changing `bucketCount` moves most keys.
 *
 * @example
 * ```ts
 * const bucket = bucketOf('orders/42', node.buckets.options.count);
 * if (node.buckets.owned().includes(bucket)) handle();
 * ```
 */
export function bucketOf(key: string, bucketCount: number): BucketId {
  if (typeof key !== 'string') throw new InvalidArgumentError(`bucketOf: the key must be a string, got ${typeof key}`);
  if (!Number.isSafeInteger(bucketCount) || bucketCount < 1 || bucketCount > MAX_BUCKET_COUNT) {
    throw new InvalidArgumentError(`bucketOf: bucketCount must be a whole number from 1 to ${MAX_BUCKET_COUNT}, got ${String(bucketCount)}`);
  }
  return String((fnv1a32(encoder.encode(key)) % bucketCount) + 1);
}

/** 32-bit FNV-1a of `bytes`, as an unsigned integer. */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, FNV_PRIME);
  return hash >>> 0;
}
