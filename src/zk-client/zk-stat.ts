import type { RawStat } from './zk-library.js';
import { ZooKeeperError } from './zookeeper-error.js';

/** A znode's metadata with 64-bit fields decoded. */
export interface ZkStat {
  /** zxid of the create; 64-bit (epoch << 32 | counter), kept exact as a bigint. */
  readonly czxid: bigint;
  /** zxid of the last data change. */
  readonly mzxid: bigint;
  /** Creation time, wall-clock epoch ms as the server recorded it. */
  readonly ctime: number;
  /** Last data change time, wall-clock epoch ms as the server recorded it. */
  readonly mtime: number;
  /** Data version: 0 on create, +1 per setData. */
  readonly version: number;
  /** Child version: +1 per child create or delete. */
  readonly cversion: number;
  /** Owning session id as 16 hex digits, or null for a persistent znode. */
  readonly ephemeralOwner: string | null;
  readonly dataLength: number;
  readonly numChildren: number;
}

/** Session ids are shown as 16 lowercase hex digits, as ZooKeeper's own tools print them. */
export function sessionIdHex(buffer: Buffer): string {
  return buffer.toString('hex').padStart(16, '0');
}

/**
 * Decodes a raw stat. The 64-bit fields are decoded when first read: most callers need only
 * `version`, and decoding every field of every answer costs measurable throughput.
 */
export function decodeStat(raw: RawStat): ZkStat {
  return new LazyStat(raw);
}

class LazyStat implements ZkStat {
  readonly #raw: RawStat;
  readonly version: number;
  readonly cversion: number;
  readonly dataLength: number;
  readonly numChildren: number;

  constructor(raw: RawStat) {
    this.#raw = raw;
    this.version = raw.version;
    this.cversion = raw.cversion;
    this.dataLength = raw.dataLength;
    this.numChildren = raw.numChildren;
  }
  get czxid(): bigint {
    return this.#raw.czxid.readBigInt64BE(0);
  }
  get mzxid(): bigint {
    return this.#raw.mzxid.readBigInt64BE(0);
  }
  get ctime(): number {
    return Number(this.#raw.ctime.readBigInt64BE(0));
  }
  get mtime(): number {
    return Number(this.#raw.mtime.readBigInt64BE(0));
  }
  get ephemeralOwner(): string | null {
    return this.#raw.ephemeralOwner.readBigInt64BE(0) === 0n ? null : sessionIdHex(this.#raw.ephemeralOwner);
  }
}

/**
 * A zxid as a JS number, for use as a fencing term. A zxid is `epoch << 32 | counter`; it is
 * exact as a double while the epoch (one per ensemble leader election) stays below 2^21, which
 * a real ensemble never reaches. Beyond that we refuse rather than round: a rounded term could
 * compare equal to another.
 */
export function zxidToNumber(zxid: bigint, path: string): number {
  if (zxid < 0n || zxid > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ZooKeeperError('ZXID_OUT_OF_RANGE', `zxid 0x${zxid.toString(16)} of ${path} is beyond 2^53 and cannot be a fencing term`, { path });
  }
  return Number(zxid);
}
