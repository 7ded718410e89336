/**
 * ZooKeeper `sync`, which node-zookeeper-client lacks and ZkConnection sends itself
 * (zk-requests.ts `syncRequest`), against the real server: its answer is read right (inside a
 * chroot too, and in order with other calls), and a lost connection or an expired session comes
 * back as the matching ZooKeeperError.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient, isZkError } from '../../src/backends/zookeeper/index.js';
import { ZkConnection } from '../../src/zk-client/zk-connection.js';
import { existsRequest } from '../../src/zk-client/zk-requests.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';
import { fourLetterWord, startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/** Session timeout of the test connections, ms: the server's minimum (1 s) and some. */
const SESSION_TIMEOUT_MS = 2_000;

describe('ZooKeeper sync', () => {
  let zk: StandaloneZooKeeper;
  const closers: (() => Promise<unknown>)[] = [];

  before(async () => {
    zk = await startStandalone();
    const admin = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: SESSION_TIMEOUT_MS });
    await admin.mkdirs('/sync-root/inner');
    await admin.close();
  });
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await zk?.close();
  });

  const connection = async (connect: string, extra: { chroot?: string; probeIntervalMs?: number } = {}): Promise<ZkConnection> => {
    // A probe interval far beyond the test: only the calls below reach the server.
    const conn = new ZkConnection({ connect, sessionTimeoutMs: SESSION_TIMEOUT_MS, probeIntervalMs: 600_000, callTimeoutMs: 20_000, ...extra });
    await conn.open(10_000);
    closers.push(() => conn.close());
    return conn;
  };

  it('answers, in order with other calls, and moves lastHeardAt to its send time', async () => {
    const conn = await connection(zk.connectString);
    const before = conn.lastHeardAt;
    const sentAt = conn.clock.now();
    const order: string[] = [];
    await Promise.all([
      conn.sync('/', {}).then(() => order.push('sync')),
      conn.call<unknown>('exists', '/', {}, (done) => conn.raw.connectionManager.queue(existsRequest('/', false), done)).then(() => order.push('exists')),
      conn.sync('/sync-root', {}).then(() => order.push('sync')),
    ]);
    assert.deepEqual(order, ['sync', 'exists', 'sync']);
    assert.ok(conn.lastHeardAt >= sentAt && conn.lastHeardAt > before, `lastHeardAt ${conn.lastHeardAt} vs sent ${sentAt}`);
    assert.equal(conn.state, 'connected', 'the library kept the socket');
  });

  it('works inside a chroot; a read alone does not move lastHeardAt', async () => {
    const conn = await connection(zk.connectString, { chroot: '/sync-root' });
    await conn.sync('/', {});
    await conn.sync('/inner', {});
    const heard = conn.lastHeardAt;
    await conn.call<unknown>('exists', '/inner', {}, (done) => conn.raw.connectionManager.queue(existsRequest('/inner', false), done));
    assert.equal(conn.lastHeardAt, heard, 'a read answered by one server proves nothing about the quorum');
    assert.equal(conn.state, 'connected');
  });

  it('a connection cut with the sync in flight rejects with CONNECTION_LOSS', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(zk.connectString.split(':')[1]));
    closers.push(() => proxy.close());
    const conn = await connection(`127.0.0.1:${proxy.port}`);
    const heard = conn.lastHeardAt;
    const syncing = conn.sync('/', {});
    proxy.stall();
    await waitFor('the sync to be in flight', () => true);
    proxy.cut();
    await assert.rejects(syncing, (error: unknown) => isZkError(error, 'CONNECTION_LOSS'));
    assert.equal(conn.lastHeardAt, heard);
  });

  it('a session expired while the sync waited rejects with SESSION_EXPIRED or CONNECTION_LOSS, never OK', async () => {
    const port = Number(zk.connectString.split(':')[1]);
    const proxy = await TcpProxy.start('127.0.0.1', port);
    closers.push(() => proxy.close());
    const conn = await connection(`127.0.0.1:${proxy.port}`);
    const sid = `sid=0x${conn.sessionId.replace(/^0+/, '')}`;
    proxy.stall();
    // Settled as soon as it settles (the library may drop the silent socket before the expiry).
    const outcome = conn.sync('/', {}).then(() => 'OK', (error: unknown) => error);
    // The server expires the session once it has not heard from us for the timeout, and drops its connection.
    await waitFor('the server to expire the session', async () => !(await fourLetterWord(port, 'cons')).includes(sid), { timeoutMs: SESSION_TIMEOUT_MS * 4, intervalMs: 100 });
    proxy.unstall();
    const error = await outcome;
    assert.ok(isZkError(error, 'SESSION_EXPIRED', 'CONNECTION_LOSS'), `sync answered ${String(error)}`);
    await waitFor('the client to learn it expired', () => conn.state === 'expired', { timeoutMs: SESSION_TIMEOUT_MS * 4 });
    await assert.rejects(conn.sync('/', {}), (error: unknown) => isZkError(error, 'SESSION_EXPIRED'));
  });
});
