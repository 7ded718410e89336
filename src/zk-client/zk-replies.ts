/**
 * The replies to the requests of zk-requests.ts, read from their Jute bytes (the encoding is
 * described in jute-writer.ts; `long` is 8 bytes big-endian). The library decoded each into
 * generic records: two 8-byte buffers per 64-bit field (one made, one read into), an object
 * per field read, a record per stat; most of what a ZooKeeper node allocated while placing
 * 10,000 buckets (issue 12). Here a reply is read once, into plain values, and no view of the
 * socket's bytes outlives the read.
 */
import type { ZkStat } from './zk-stat.js';
import { OP } from './zk-library.js';

/** Reads one reply's payload, field by field; throws RangeError past its end. */
export class JuteReader {
  readonly #bytes: Buffer;
  #at = 0;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  int(): number {
    const value = this.#bytes.readInt32BE(this.#at);
    this.#at += 4;
    return value;
  }

  long(): bigint {
    const value = this.#bytes.readBigInt64BE(this.#at);
    this.#at += 8;
    return value;
  }

  boolean(): boolean {
    const value = this.#bytes.readUInt8(this.#at) === 1;
    this.#at += 1;
    return value;
  }

  /** A ustring (undefined for none). */
  ustring(): string | undefined {
    const length = this.int();
    if (length === -1) return undefined;
    const end = this.#end(length);
    const text = this.#bytes.toString('utf8', this.#at, end);
    this.#at = end;
    return text;
  }

  /** A buffer field as a copy of its bytes (undefined for none): the socket's bytes are not kept. */
  buffer(): Buffer | undefined {
    const length = this.int();
    if (length === -1) return undefined;
    const end = this.#end(length);
    const copy = Buffer.allocUnsafeSlow(length);
    this.#bytes.copy(copy, 0, this.#at, end);
    this.#at = end;
    return copy;
  }

  #end(length: number): number {
    const end = this.#at + length;
    if (length < 0 || end > this.#bytes.length) throw new RangeError(`Jute field of ${length} bytes at ${this.#at} of a ${this.#bytes.length}-byte reply`);
    return end;
  }
}

/** A stat read from a reply; the owner is shown as hex only when asked for. */
class ReadStat implements ZkStat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly dataLength: number;
  readonly numChildren: number;
  readonly #owner: bigint;

  /** Stat fields in wire order: czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, dataLength, numChildren, pzxid. */
  constructor(reply: JuteReader) {
    this.czxid = reply.long();
    this.mzxid = reply.long();
    this.ctime = Number(reply.long());
    this.mtime = Number(reply.long());
    this.version = reply.int();
    this.cversion = reply.int();
    reply.int(); // aversion
    this.#owner = BigInt.asUintN(64, reply.long());
    this.dataLength = reply.int();
    this.numChildren = reply.int();
    reply.long(); // pzxid
  }

  get ephemeralOwner(): string | null {
    return this.#owner === 0n ? null : this.#owner.toString(16).padStart(16, '0');
  }
}

/** ExistsResponse, SetDataResponse: a stat. */
export function readStat(reply: JuteReader): ZkStat {
  return new ReadStat(reply);
}

/** GetDataResponse: the data (empty when none), then a stat. */
export function readData(reply: JuteReader): { data: Buffer; stat: ZkStat } {
  const data = reply.buffer() ?? Buffer.alloc(0);
  return { data, stat: new ReadStat(reply) };
}

/** GetChildren2Response: the child names (then the parent's stat, not read). */
export function readChildren(reply: JuteReader): string[] {
  const count = reply.int();
  const children: string[] = [];
  for (let i = 0; i < count; i++) children.push(reply.ustring() ?? '');
  return children;
}

/** CreateResponse: the path created (with its sequence suffix), as the caller sees it under `chroot`. */
export function readCreatedPath(reply: JuteReader, chroot: string): string {
  return withoutChroot(reply.ustring() ?? '', chroot);
}

function withoutChroot(path: string, chroot: string): string {
  if (chroot === '') return path;
  return path === chroot ? '/' : path.substring(chroot.length);
}

/** One op's result in a MultiResponse: its op code, and its error code when it is an error result. */
export interface MultiResult {
  readonly type: number;
  readonly err?: number;
  readonly path?: string;
  readonly stat?: ZkStat;
}

/** MultiResponse: per op a MultiHeader (type int, done boolean, err int) then its result, until a done header. */
export function readMultiResults(reply: JuteReader, chroot: string): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const type = reply.int();
    const done = reply.boolean();
    reply.int(); // the header's err: an error result carries its own
    if (done) return results;
    if (type === OP.create) results.push({ type, path: readCreatedPath(reply, chroot) });
    else if (type === OP.setData) results.push({ type, stat: new ReadStat(reply) });
    else if (type === OP.error) results.push({ type, err: reply.int() });
    else if (type === OP.delete || type === OP.check) results.push({ type });
    else throw new RangeError(`unknown op type ${type} in a multi reply`);
  }
}
