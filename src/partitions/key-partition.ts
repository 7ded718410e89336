/**
 * Key to partition, bit-exact with Pinot's lead controller resource
 * (`LeadControllerUtils.getPartitionIdForTable`): strip a trailing `_OFFLINE` or `_REALTIME`
 * table-type suffix, hash the UTF-8 bytes with Kafka's murmur2 and take
 * `(hash & 0x7fffffff) % partitions`.
 *
 * Called for every request routed by table, so the hot path allocates nothing: ASCII keys (all
 * Pinot table names in practice) are hashed straight from their char codes, and other keys are
 * encoded into one reused buffer.
 *
 * The bytes are exactly Java's `String.getBytes(UTF_8)` (what Pinot hashes), also for a string
 * that is not valid UTF-16: Java encodes each unpaired surrogate as `?` (0x3F), where
 * TextEncoder would write U+FFFD (three bytes), so every string lands on Pinot's partition.
 */
import { InvalidArgumentError } from '../errors.js';
import { murmur2Ascii, murmur2Bytes } from './murmur2.js';

/** Pinot's lead controller resource has 24 partitions. */
export const DEFAULT_PARTITIONS = 24;

const SUFFIXES = ['_OFFLINE', '_REALTIME'] as const;

/** Java's replacement byte for an unpaired surrogate in `getBytes(UTF_8)`: `?`. */
const JAVA_REPLACEMENT = 0x3f;
/** Reused UTF-8 buffer for non-ASCII keys; grown (never shrunk) when a longer key arrives. */
let buffer = new Uint8Array(256);

/**
 * The raw table name: `key` without a trailing `_OFFLINE` or `_REALTIME` (only at the very end:
 * `a_OFFLINE_x` is returned unchanged).
 */
export function rawTableName(key: string): string {
  const end = rawEnd(key);
  return end === key.length ? key : key.slice(0, end);
}

/**
 * The partition (0 .. partitions-1) that owns `key`, as Pinot computes it.
 *
 * @param partitions a positive integer; default 24. Anything else throws InvalidArgumentError.
 * @example
 * ```ts
 * partitionOf('baseballStats_OFFLINE'); // 7
 * ```
 */
export function partitionOf(key: string, partitions: number = DEFAULT_PARTITIONS): number {
  if (!Number.isSafeInteger(partitions) || partitions < 1) {
    throw new InvalidArgumentError(`partitions must be a positive integer, got ${String(partitions)}`);
  }
  return (hashRawName(key) & 0x7fffffff) % partitions;
}

/** Kafka's murmur2 of the UTF-8 bytes of `rawTableName(key)`, without allocating for ASCII keys. */
export function hashRawName(key: string): number {
  const end = rawEnd(key);
  if (isAscii(key, end)) return murmur2Ascii(key, end);
  // The suffixes are ASCII, so dropping them from the characters drops exactly as many bytes
  // from the end of the encoding: encode the whole key and hash all but those bytes.
  const dropped = key.length - end;
  // A UTF-16 code unit encodes to at most 3 UTF-8 bytes.
  if (buffer.length < key.length * 3) buffer = new Uint8Array(key.length * 3);
  const written = javaUtf8Into(key, buffer);
  return murmur2Bytes(buffer, written - dropped);
}

/**
 * Writes `text` into `out` as Java's `getBytes(UTF_8)` does and returns the byte count: UTF-8,
 * with `?` for each surrogate that is not half of a high-low pair. `out` holds 3 bytes per
 * code unit (a pair takes 4 bytes for 2 units, so that suffices).
 */
export function javaUtf8Into(text: string, out: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
    } else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) {
        out[n++] = JAVA_REPLACEMENT; // an unpaired high or low surrogate
        continue;
      }
      const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      out[n++] = 0xf0 | (point >> 18);
      out[n++] = 0x80 | ((point >> 12) & 0x3f);
      out[n++] = 0x80 | ((point >> 6) & 0x3f);
      out[n++] = 0x80 | (point & 0x3f);
      i++;
    }
  }
  return n;
}

/** Index where the raw table name ends (the key's length when it has no type suffix). */
function rawEnd(key: string): number {
  for (const suffix of SUFFIXES) {
    if (key.endsWith(suffix)) return key.length - suffix.length;
  }
  return key.length;
}

function isAscii(text: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}
