import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient, type ZkEvent } from '../../src/zk-client/zk-client.js';
import { ZooKeeperError, zkCodeName } from '../../src/zk-client/zookeeper-error.js';
import { zookeeperLibrary } from '../../src/zk-client/zk-library.js';
import { isBatonError } from '../../src/errors.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { freePort } from '../support/zookeeper-server.js';
import { waitFor } from '../support/wait.js';

/** Session timeout of test clients, ms: short so tests stay quick, above the server's minimum. */
const SESSION_MS = 3_000;

describe('ZkClient against a real ZooKeeper', () => {
  let zk: StandaloneZooKeeper;
  const clients: ZkClient[] = [];
  const open = async () => {
    const client = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: SESSION_MS });
    clients.push(client);
    return client;
  };

  before(async () => {
    zk = await startStandalone();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await zk?.close();
  });

  it('creates, reads, writes and deletes znodes with typed errors', async () => {
    const c = await open();
    assert.match(c.sessionId, /^[0-9a-f]{16}$/);
    assert.equal(c.sessionTimeoutMs, SESSION_MS);
    await c.create('/crud/a/b', Buffer.from('one'), { createParents: true });
    const { data, stat } = await c.getData('/crud/a/b');
    assert.equal(data.toString(), 'one');
    assert.equal(stat.version, 0);
    assert.equal(stat.ephemeralOwner, null);
    const after = await c.setData('/crud/a/b', Buffer.from('two'), { version: 0 });
    assert.equal(after.version, 1);
    await assert.rejects(c.setData('/crud/a/b', Buffer.from('x'), { version: 0 }), { zkCode: 'BAD_VERSION' });
    await assert.rejects(c.create('/crud/a/b', null), { zkCode: 'NODE_EXISTS' });
    await assert.rejects(c.getData('/crud/none'), (e) => e instanceof ZooKeeperError && e.zkCode === 'NO_NODE' && e.code === 'ZOOKEEPER');
    await assert.rejects(c.delete('/crud/a'), { zkCode: 'NOT_EMPTY' });
    assert.deepEqual(await c.getChildren('/crud/a'), ['b']);
    await c.delete('/crud/a/b', { version: 1 });
    assert.equal(await c.exists('/crud/a/b'), null);
    await c.deleteRecursive('/crud');
    assert.equal(await c.exists('/crud'), null);
  });

  it('creates sequential ephemerals owned by its session and drops them on close', async () => {
    const a = await open();
    const b = await open();
    await a.mkdirs('/seq');
    const first = await a.create('/seq/n_', Buffer.from('x'), { mode: 'ephemeral_sequential' });
    const second = await a.create('/seq/n_', Buffer.from('y'), { mode: 'ephemeral_sequential' });
    assert.match(first, /^\/seq\/n_\d{10}$/);
    assert.ok(second > first);
    const stat = await b.exists(first);
    assert.equal(stat?.ephemeralOwner, a.sessionId);
    assert.ok(typeof stat?.czxid === 'bigint');
    await a.close();
    assert.deepEqual(await b.getChildren('/seq'), [], 'closing the session deleted its ephemerals at once');
  });

  it('runs multi atomically, honours version 0 checks and names the failing op', async () => {
    const c = await open();
    await c.create('/multi', Buffer.from('v0'));
    const results = await c.multi([
      { op: 'check', path: '/multi', version: 0 },
      { op: 'create', path: '/multi/child', data: Buffer.from('c') },
      { op: 'setData', path: '/multi', data: Buffer.from('v1') },
    ]);
    assert.deepEqual(results.map((r) => r.op), ['check', 'create', 'setData']);
    const failed = c.multi([
      { op: 'setData', path: '/multi/child', data: Buffer.from('lost') },
      { op: 'check', path: '/multi', version: 0 }, // the version is 1 now: the whole multi fails
    ]);
    await assert.rejects(failed, (e) => e instanceof ZooKeeperError && e.zkCode === 'BAD_VERSION' && e.opIndex === 1);
    assert.equal((await c.getData('/multi/child')).data.toString(), 'c', 'nothing of the failed multi landed');
  });

  it('delivers one-shot watches', async () => {
    const c = await open();
    await c.create('/watched', Buffer.from('a'));
    const events: ZkEvent[] = [];
    const watch = (event: ZkEvent) => events.push(event);
    await c.getData('/watched', { watch });
    await c.getChildren('/watched', { watch });
    await c.setData('/watched', Buffer.from('b'));
    await c.create('/watched/kid', null);
    await waitFor('two watch events', () => events.length >= 2);
    assert.deepEqual(events.map((e) => e.type).sort(), ['childrenChanged', 'dataChanged']);
    assert.ok(events.every((e) => e.path === '/watched'));
  });

  it('fans one library watch out to many watchers and drops removed ones', async () => {
    const c = await open();
    await c.create('/fan', Buffer.from('a'));
    const fired: number[] = [];
    const watchers = Array.from({ length: 20 }, (_, i) => () => void fired.push(i));
    for (const watch of watchers) await c.exists('/fan', { watch });
    for (const watch of watchers.slice(1)) c.removeWatcher(watch);
    await c.setData('/fan', Buffer.from('b'));
    // ZooKeeper delivers a notification before the answer to any later request.
    await c.exists('/fan');
    assert.deepEqual(fired, [0]);
  });

  it('measures when the ensemble leader last held the session: writes move lastHeardAt, reads do not', async () => {
    const c = await open();
    const before = c.lastHeardAt;
    await c.exists('/');
    assert.equal(c.lastHeardAt, before, 'a read is answered by one server alone');
    await c.create('/heard', null, { mode: 'ephemeral' });
    assert.ok(c.lastHeardAt > before);
  });

  it('settles aborted calls and refuses use after close', async () => {
    const c = await open();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(c.exists('/', { signal: controller.signal }), (e) => isBatonError(e, 'ABORTED'));
    await c.close();
    await c.close();
    assert.equal(c.state, 'closed');
    await assert.rejects(c.getData('/'), (e) => isBatonError(e, 'CLOSED'));
  });

  it('survives error codes the library does not know (it would throw inside its socket handler)', () => {
    const error = zookeeperLibrary().Exception.create(-118);
    assert.equal(error.getCode(), -118);
    assert.equal(zkCodeName(error.getCode()), 'SESSION_MOVED');
    assert.equal(zookeeperLibrary().Exception.create(-101).getName(), 'NO_NODE');
  });

  it('gives up connecting to a port where nothing listens', async () => {
    const port = await freePort();
    const attempt = ZkClient.connect({ connect: `127.0.0.1:${port}`, sessionTimeoutMs: SESSION_MS, connectTimeoutMs: 500 });
    await assert.rejects(attempt, (e) => isBatonError(e, 'STORE_UNAVAILABLE'));
  });

  it('keeps its session and ephemerals across a server restart shorter than the timeout', async () => {
    // A session long enough to outlast a JVM restart on a busy machine; a reconnect handshake
    // that hangs (a server still starting) is dropped after 2 s and tried again.
    const c = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: 30_000, probeIntervalMs: 500, readTimeoutMs: 2_000 });
    clients.push(c);
    await c.create('/survivor', null, { mode: 'ephemeral' });
    const states: string[] = [];
    const watching = new AbortController();
    c.onStateChange((state) => states.push(state), { signal: watching.signal });
    await zk.stop();
    await waitFor('the client to notice', () => c.state === 'disconnected');
    await zk.restart();
    await waitFor('the client back', () => c.state === 'connected', { timeoutMs: 30_000 });
    watching.abort();
    assert.deepEqual(states, ['disconnected', 'connected']);
    assert.equal((await c.exists('/survivor'))?.ephemeralOwner, c.sessionId);
  });

  it('works under a chroot', async () => {
    const root = await open();
    await root.mkdirs('/chrooted/app');
    const c = await ZkClient.connect({ connect: zk.connectString, chroot: '/chrooted/app', sessionTimeoutMs: SESSION_MS });
    clients.push(c);
    await c.create('/x', Buffer.from('1'));
    assert.ok(await root.exists('/chrooted/app/x'));
    const events: ZkEvent[] = [];
    await c.exists('/x', { watch: (e) => events.push(e) });
    await root.delete('/chrooted/app/x');
    await waitFor('deleted event', () => events.length === 1);
    assert.deepEqual(events[0], { type: 'deleted', path: '/x' });
  });
});
