/**
 * Jute, ZooKeeper's wire encoding, for the requests this client sends (zk-requests.ts): each
 * field big-endian and in declaration order; `int` 4 bytes; `boolean` 1 byte (0 or 1);
 * `ustring` and `buffer` a 4-byte byte count, then the bytes (-1 and no bytes for none);
 * `vector` a 4-byte item count, then the items. A frame is a 4-byte length, then the body.
 *
 * Sizes are counted first and the frame is written into one buffer of exactly that size: one
 * allocation per request.
 */

/** Bytes of a `ustring` field holding `text`. */
export function ustringSize(text: string): number {
  return 4 + Buffer.byteLength(text, 'utf8');
}

/** Bytes of a `buffer` field holding `data` (null: none). */
export function bufferSize(data: Buffer | null): number {
  return 4 + (data === null ? 0 : data.length);
}

/** Writes one frame of a known body size; `frame()` checks that every byte was written. */
export class JuteWriter {
  readonly #bytes: Buffer;
  #at = 0;

  constructor(bodySize: number) {
    // Unsafe (not zeroed, small ones from Node's shared pool): frame() checks every byte was written.
    this.#bytes = Buffer.allocUnsafe(4 + bodySize);
    this.int(bodySize);
  }

  int(value: number): void {
    this.#at = this.#bytes.writeInt32BE(value, this.#at);
  }

  boolean(value: boolean): void {
    this.#at = this.#bytes.writeUInt8(value ? 1 : 0, this.#at);
  }

  ustring(text: string): void {
    const at = this.#at + 4;
    const written = this.#bytes.write(text, at, 'utf8');
    this.int(written);
    this.#at = at + written;
  }

  buffer(data: Buffer | null): void {
    if (data === null) return this.int(-1);
    this.int(data.length);
    this.#at += data.copy(this.#bytes, this.#at);
  }

  /** The frame; throws when the sizes counted and the bytes written differ (a bug here). */
  frame(): Buffer {
    if (this.#at !== this.#bytes.length) throw new Error(`Jute frame of ${this.#bytes.length} bytes has ${this.#at} written`);
    return this.#bytes;
  }
}
