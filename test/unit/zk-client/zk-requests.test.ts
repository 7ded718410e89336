/**
 * The requests ZkClient encodes itself (src/zk-client/zk-requests.ts) are byte for byte what
 * node-zookeeper-client's own calls would send, for every request kind, with and without a
 * chroot: both go through the library's real `connectionManager.queue` of a client that never
 * connects, which keeps them in its packet queue, and are read back with the xid the library
 * would give them. `sync`, which the library lacks, is compared with its Jute layout.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toRawAcls } from '../../../src/zk-client/zk-acl.js';
import type { RawAcl, RawClient, RawRequest } from '../../../src/zk-client/zk-library.js';
import { CREATE_FLAGS, OP, zookeeperLibrary } from '../../../src/zk-client/zk-library.js';
import * as requests from '../../../src/zk-client/zk-requests.js';

/** The library's transaction, which ZkClient no longer uses: its ops array and its commit. */
interface LibraryTransaction {
  readonly ops: object[];
  commit(callback: () => void): void;
}
type LibraryClient = RawClient & {
  create(path: string, data: Buffer | null, acls: readonly RawAcl[], mode: number, callback: () => void): void;
  remove(path: string, version: number, callback: () => void): void;
  setData(path: string, data: Buffer, version: number, callback: () => void): void;
  getData(path: string, watcher: (() => void) | undefined, callback: () => void): void;
  exists(path: string, watcher: (() => void) | undefined, callback: () => void): void;
  getChildren(path: string, watcher: (() => void) | undefined, callback: () => void): void;
  transaction(): LibraryTransaction;
};

/** An xid the library could give a request (any will do; both get the same). */
const XID = 0x01020304;

/** The bytes `send` hands the library's queue, as the library would write them to the socket. */
function sentBytes(chroot: string, send: (client: LibraryClient) => void): Buffer {
  const client = zookeeperLibrary().createClient(`127.0.0.1:1${chroot}`, { sessionTimeout: 10_000, spinDelay: 100, retries: 0 }) as LibraryClient;
  send(client);
  const queued = client.connectionManager.packetQueue.queue as { request: RawRequest }[];
  assert.equal(queued.length, 1, 'one request queued');
  const request = queued[0]!.request;
  request.header.xid = XID;
  return request.toBuffer();
}

const noop = (): void => undefined;
const ours = (request: RawRequest) => (client: LibraryClient) => client.connectionManager.queue(request, noop);

const PATHS = ['/', '/a', '/baton/elections/bucket-0042/n_', '/ü/日本'];
const ACLS: readonly (readonly RawAcl[])[] = [
  toRawAcls([{ perms: 31, scheme: 'world', id: 'anyone' }]),
  toRawAcls([
    { perms: 31, scheme: 'digest', id: 'baton:x7ZQ1o2k3aVX9fQdC3dFx5oLk8s=' },
    { perms: 1, scheme: 'world', id: 'anyone' },
  ]),
];

describe('ZooKeeper requests encoded by zk-requests.ts', () => {
  for (const chroot of ['', '/apps/baton']) {
    const where = chroot === '' ? 'without a chroot' : 'in a chroot';

    it(`create: every mode, no data, empty data, some data, every ACL shape (${where})`, () => {
      for (const path of PATHS.slice(1)) {
        for (const data of [null, Buffer.alloc(0), Buffer.from('{"owner":"n01"}')]) {
          for (const acls of ACLS) {
            for (const flags of Object.values(CREATE_FLAGS)) {
              const expected = sentBytes(chroot, (c) => c.create(path, data, acls, flags, noop));
              assert.deepEqual(sentBytes(chroot, ours(requests.createRequest(path, data, acls, flags))), expected, `${path} ${String(data)} ${flags}`);
            }
          }
        }
      }
    });

    it(`exists, getData, getChildren: with and without a watch (${where})`, () => {
      for (const path of PATHS) {
        for (const watcher of [undefined, noop]) {
          const watch = watcher !== undefined;
          assert.deepEqual(sentBytes(chroot, ours(requests.existsRequest(path, watch))), sentBytes(chroot, (c) => c.exists(path, watcher, noop)));
          assert.deepEqual(sentBytes(chroot, ours(requests.getDataRequest(path, watch))), sentBytes(chroot, (c) => c.getData(path, watcher, noop)));
          assert.deepEqual(sentBytes(chroot, ours(requests.getChildrenRequest(path, watch))), sentBytes(chroot, (c) => c.getChildren(path, watcher, noop)));
        }
      }
    });

    it(`delete and setData: any version and exact ones (${where})`, () => {
      for (const path of PATHS.slice(1)) {
        for (const version of [-1, 0, 7, 2 ** 31 - 1]) {
          assert.deepEqual(sentBytes(chroot, ours(requests.deleteRequest(path, version))), sentBytes(chroot, (c) => c.remove(path, version, noop)));
          const data = Buffer.from([0, 1, 2, 255]);
          assert.deepEqual(sentBytes(chroot, ours(requests.setDataRequest(path, data, version))), sentBytes(chroot, (c) => c.setData(path, data, version, noop)));
        }
      }
    });

    it(`multi: create, setData, delete and check, version 0 kept exact (${where})`, () => {
      const acls = ACLS[1]!;
      const data = Buffer.from('term');
      const ops = [
        { type: OP.check, path: '/e', version: 0 },
        { type: OP.create, path: '/e/n_', data, acls, mode: CREATE_FLAGS.ephemeral_sequential },
        { type: OP.create, path: '/e/empty', data: Buffer.alloc(0), acls, mode: CREATE_FLAGS.persistent },
        { type: OP.setData, path: '/kv/a', data, version: 0 },
        { type: OP.delete, path: '/kv/b', version: 3 },
      ];
      const expected = sentBytes(chroot, (c) => {
        const transaction = c.transaction();
        transaction.ops.push(...ops);
        transaction.commit(noop);
      });
      const multi = requests.multiRequest([
        requests.checkOp('/e', 0),
        requests.createOp('/e/n_', data, acls, CREATE_FLAGS.ephemeral_sequential),
        requests.createOp('/e/empty', Buffer.alloc(0), acls, CREATE_FLAGS.persistent),
        requests.setDataOp('/kv/a', data, 0),
        requests.deleteOp('/kv/b', 3),
      ]);
      assert.deepEqual(sentBytes(chroot, ours(multi)), expected);
    });

    it(`sync: op code 9 and the path, the reply read as a delete's (${where})`, () => {
      const full = chroot === '' ? '/sync-root' : `${chroot}/sync-root`;
      const path = Buffer.from(full, 'utf8');
      const expected = Buffer.alloc(16 + path.length);
      expected.writeInt32BE(12 + path.length, 0);
      expected.writeInt32BE(XID, 4);
      expected.writeInt32BE(9, 8);
      expected.writeInt32BE(path.length, 12);
      path.copy(expected, 16);
      const sync = requests.syncRequest('/sync-root');
      assert.deepEqual(sentBytes(chroot, ours(sync)), expected);
      assert.equal(sync.header.type, OP.delete);
    });
  }

  it('refuses the paths the library refuses, before anything is sent', () => {
    for (const path of ['', 'a', '/a/', '/a//b', '/a/./b', '/a/..', '/.']) {
      assert.throws(() => sentBytes('', (c) => c.exists(path, undefined, noop)), `the library refuses ${JSON.stringify(path)}`);
      assert.throws(() => requests.existsRequest(path, false), { name: 'InvalidArgumentError' }, JSON.stringify(path));
    }
    for (const path of ['/', '/a.b', '/a/..b', '/a/.b/c']) assert.doesNotThrow(() => requests.existsRequest(path, false));
  });
});
