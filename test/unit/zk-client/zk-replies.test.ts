/**
 * Replies read by ZkClient itself: zk-replies.ts reads every reply kind as node-zookeeper-client
 * decodes it (the bytes are made by the library's own records), and zk-reply-tap.ts hands each
 * request its reply's bytes however the socket splits or joins the frames, while the library's
 * own reader still matches replies to requests and reports errors.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { RawException, RawStat } from '../../../src/zk-client/zk-library.js';
import { OP, zookeeperLibrary } from '../../../src/zk-client/zk-library.js';
import { JuteReader, readChildren, readCreatedPath, readData, readMultiResults, readStat } from '../../../src/zk-client/zk-replies.js';
import { tapReplies } from '../../../src/zk-client/zk-reply-tap.js';
import { existsRequest, type ZkRequest } from '../../../src/zk-client/zk-requests.js';
import { decodeStat, type ZkStat } from '../../../src/zk-client/zk-stat.js';

interface JuteRecord {
  byteLength(): number;
  serialize(buffer: Buffer, offset: number): number;
}
type RecordClass = new (...args: unknown[]) => JuteRecord & Record<string, unknown>;
interface Jute {
  readonly protocol: Record<string, RecordClass>;
  readonly data: Record<string, RecordClass>;
}
const jute = createRequire(import.meta.url)('node-zookeeper-client/lib/jute/index.js') as Jute;

/** The bytes of `records`, one after the other, as the library's serializer writes them. */
function bytesOf(...records: JuteRecord[]): Buffer {
  const buffer = Buffer.alloc(records.reduce((n, r) => n + r.byteLength(), 0));
  let at = 0;
  for (const record of records) at += record.serialize(buffer, at);
  return buffer;
}

function long(value: bigint): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt.asIntN(64, value));
  return buffer;
}

/** A stat record, in the library's field order, with distinct values everywhere. */
function statRecord(owner: bigint): JuteRecord & RawStat {
  return new jute.data['Stat']!(long(0x100000007n), long(0x10000002an), long(1_700_000_000_123n), long(1_700_000_000_456n), 3, 9, 1, long(owner), 42, 5, long(0x10000002bn)) as unknown as JuteRecord & RawStat;
}

function plain(stat: ZkStat): object {
  const { czxid, mzxid, ctime, mtime, version, cversion, ephemeralOwner, dataLength, numChildren } = stat;
  return { czxid, mzxid, ctime, mtime, version, cversion, ephemeralOwner, dataLength, numChildren };
}

describe('ZooKeeper replies read by zk-replies.ts', () => {
  it('a stat (exists, setData) reads as the library decodes it, owner or none, high-bit session ids too', () => {
    for (const owner of [0n, 0x1000a2b3c4d5e6fn, 0xff000000000000a1n]) {
      const record = statRecord(owner);
      assert.deepEqual(plain(readStat(new JuteReader(bytesOf(record)))), plain(decodeStat(record)));
    }
  });

  it('getData: data or none (empty), then the stat', () => {
    for (const data of [Buffer.from('{"a":1}'), Buffer.alloc(0), undefined]) {
      const record = new jute.protocol['GetDataResponse']!(data, statRecord(7n));
      const read = readData(new JuteReader(bytesOf(record)));
      assert.deepEqual(read.data, data ?? Buffer.alloc(0));
      assert.deepEqual(plain(read.stat), plain(decodeStat(record['stat'] as RawStat)));
    }
  });

  it('getChildren: the names, none, and names outside ASCII', () => {
    for (const children of [['n_0000000001', 'n_0000000000'], [], ['ü', '日本']]) {
      assert.deepEqual(readChildren(new JuteReader(bytesOf(new jute.protocol['GetChildren2Response']!(children, statRecord(0n))))), children);
    }
  });

  it('create: the path created, without the chroot the library strips too', () => {
    const reply = (path: string) => new JuteReader(bytesOf(new jute.protocol['CreateResponse']!(path)));
    assert.equal(readCreatedPath(reply('/e/n_0000000007'), ''), '/e/n_0000000007');
    assert.equal(readCreatedPath(reply('/apps/baton/e/n_0000000007'), '/apps/baton'), '/e/n_0000000007');
    assert.equal(readCreatedPath(reply('/apps/baton'), '/apps/baton'), '/');
  });

  it('multi: every result kind, an error result with its code, up to the done header', () => {
    const header = (type: number, done = false, err = 0) => new jute.protocol['MultiHeader']!(type, done, err);
    const bytes = bytesOf(
      header(OP.check),
      header(OP.create),
      new jute.protocol['CreateResponse']!('/c/e/n_0000000001'),
      header(OP.setData),
      new jute.protocol['SetDataResponse']!(statRecord(0n)),
      header(OP.delete),
      header(OP.error, false, -101),
      new jute.protocol['ErrorResponse']!(-101),
      header(-1, true, -1),
    );
    const results = readMultiResults(new JuteReader(bytes), '/c');
    assert.deepEqual(
      results.map((r) => ({ ...r, stat: r.stat && plain(r.stat) })),
      [
        { type: OP.check, stat: undefined },
        { type: OP.create, path: '/e/n_0000000001', stat: undefined },
        { type: OP.setData, stat: plain(decodeStat(statRecord(0n))) },
        { type: OP.delete, stat: undefined },
        { type: OP.error, err: -101, stat: undefined },
      ],
    );
  });

  it('a reply cut short is refused, not read past its end', () => {
    const bytes = bytesOf(statRecord(0n));
    assert.throws(() => readStat(new JuteReader(bytes.subarray(0, bytes.length - 1))), RangeError);
    assert.throws(() => readChildren(new JuteReader(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9, 0x61]))), RangeError);
  });
});

describe('zk-reply-tap.ts: each request gets its reply through the library\'s reader', () => {
  /** A reply frame: length, xid, zxid, err, payload. */
  function frame(xid: number, err: number, payload: Buffer): Buffer {
    const head = Buffer.alloc(20);
    head.writeInt32BE(16 + payload.length, 0);
    head.writeInt32BE(xid, 4);
    head.writeBigInt64BE(0x100000010n + BigInt(xid), 8);
    head.writeInt32BE(err, 16);
    return Buffer.concat([head, payload]);
  }

  it('however the frames are cut and joined, in order, errors reported by the library', () => {
    const payloads = [bytesOf(statRecord(1n)), Buffer.alloc(0), bytesOf(statRecord(0n)), bytesOf(statRecord(2n))];
    const errors = [0, -101, 0, 0];
    const wire = Buffer.concat([
      frame(-1, 0, bytesOf(new jute.protocol['WatcherEvent']!(3, 3, '/w'))), // a watch event between replies
      ...payloads.map((p, i) => frame(i, errors[i]!, p)),
    ]);
    for (const cuts of [[], [1], [3, 25, 26], [wire.length - 1], Array.from({ length: wire.length - 1 }, (_, i) => i + 1)]) {
      const client = zookeeperLibrary().createClient('127.0.0.1:1', { sessionTimeout: 10_000, spinDelay: 100, retries: 0 });
      const manager = client.connectionManager as unknown as { state: number; pendingQueue: { request: ZkRequest; callback: (e: RawException | null) => void }[] };
      tapReplies(client.connectionManager);
      manager.state = 2; // CONNECTED
      const got: string[] = [];
      payloads.forEach((_, xid) => {
        const request = existsRequest('/x', false);
        request.xid = xid;
        manager.pendingQueue.push({ request, callback: (error) => got.push(error ? `${xid} ${error.getCode()}` : `${xid} ${request.takeReply().equals(payloads[xid]!)}`) });
      });
      const reader = client.connectionManager as unknown as { onSocketData(chunk: Buffer): void };
      let from = 0;
      for (const cut of [...cuts, wire.length]) {
        reader.onSocketData(wire.subarray(from, cut));
        from = cut;
      }
      assert.deepEqual(got, ['0 true', '1 -101', '2 true', '3 true'], `cut at ${cuts.join(',')}`);
      assert.equal(manager.pendingQueue.length, 0);
    }
  });
});
