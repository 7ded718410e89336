/**
 * Kafka's 32-bit murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`), bit-exact: the
 * variant Pinot's lead controller resource uses to map a table to a partition. It differs from
 * Austin Appleby's reference only in its fixed seed and in reading the input as little-endian
 * 4-byte blocks whatever the platform.
 */

/** Kafka's fixed seed. */
const SEED = 0x9747b28c;
/** The murmur2 multiplier. */
const M = 0x5bd1e995;
/** The murmur2 mixing shift. */
const R = 24;

/**
 * The signed 32-bit murmur2 hash of `bytes`, as Kafka's `Utils.murmur2(byte[])` returns it.
 *
 * @example
 * ```ts
 * murmur2(new TextEncoder().encode('foobar')); // -790332482
 * ```
 */
export function murmur2(bytes: Uint8Array): number {
  return murmur2Bytes(bytes, bytes.length);
}

/** murmur2 of the first `length` bytes of `bytes` (lets callers hash into a reused buffer). */
export function murmur2Bytes(bytes: Uint8Array, length: number): number {
  // 1. Mix each whole little-endian 4-byte block into the state.
  let h = (SEED ^ length) | 0;
  const blocks = length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    const k = (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    h = mixBlock(h, k);
  }
  // 2. Fold in the 1-3 trailing bytes (Kafka's switch falls through from case 3 to case 1).
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= (bytes[blocks + 2] as number) << 16;
    if (tail >= 2) h ^= (bytes[blocks + 1] as number) << 8;
    h ^= bytes[blocks] as number;
    h = Math.imul(h, M);
  }
  return finish(h);
}

/**
 * murmur2 of the characters `[0, end)` of `text`, which must all be ASCII (< 0x80): their
 * UTF-8 bytes are the char codes, so no encoding (and no allocation) is needed.
 */
export function murmur2Ascii(text: string, end: number): number {
  let h = (SEED ^ end) | 0;
  const blocks = end & ~3;
  for (let i = 0; i < blocks; i += 4) {
    const k = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 8) | (text.charCodeAt(i + 2) << 16) | (text.charCodeAt(i + 3) << 24);
    h = mixBlock(h, k);
  }
  const tail = end & 3;
  if (tail > 0) {
    if (tail === 3) h ^= text.charCodeAt(blocks + 2) << 16;
    if (tail >= 2) h ^= text.charCodeAt(blocks + 1) << 8;
    h ^= text.charCodeAt(blocks);
    h = Math.imul(h, M);
  }
  return finish(h);
}

function mixBlock(h: number, block: number): number {
  let k = Math.imul(block, M);
  k ^= k >>> R;
  k = Math.imul(k, M);
  return Math.imul(h, M) ^ k;
}

function finish(state: number): number {
  let h = state;
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}
