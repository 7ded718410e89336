/**
 * The federated client against three real standalone ZooKeeper realms: every operation lands in
 * the realm of its sharding key (checked with a direct client per realm), watches fire through
 * it, refusals are typed, and a stopped realm fails only the calls routed to it.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { withTimeout } from '../support/wait.js';
import { ZkClient, type ZkEvent } from '../../src/zk-client/zk-client.js';
import { FederatedZkClient } from '../../src/federation/federated-zk-client.js';
import { BatonError, RoutingError, isBatonError } from '../../src/errors.js';
import { isZkError } from '../../src/zk-client/zookeeper-error.js';

const SESSION_MS = 4_000;

/** A one-shot watcher and the promise of the event it receives. */
function nextEvent(): { watch: (event: ZkEvent) => void; event: Promise<ZkEvent> } {
  let watch!: (event: ZkEvent) => void;
  const event = new Promise<ZkEvent>((resolve) => (watch = resolve));
  return { watch, event };
}

describe('FederatedZkClient over three ZooKeeper realms', () => {
  const servers: StandaloneZooKeeper[] = [];
  const direct: ZkClient[] = [];
  let zk: FederatedZkClient;
  let realms: string[] = [];

  before(async () => {
    for (let i = 0; i < 3; i++) servers.push(await startStandalone());
    realms = servers.map((s) => s.connectString);
    for (const realm of realms) direct.push(await ZkClient.connect({ connect: realm, sessionTimeoutMs: SESSION_MS }));
    zk = await FederatedZkClient.create({
      routing: { [realms[0] as string]: ['/orders', '/shared/a'], [realms[1] as string]: ['/users'], [realms[2] as string]: ['/billing'] },
      sessionTimeoutMs: SESSION_MS,
      callTimeoutMs: 3_000,
    });
  });
  after(async () => {
    await zk?.close();
    await Promise.all(direct.map((c) => c.close()));
    await Promise.all(servers.map((s) => s.close()));
  });

  const [A, B, C] = [0, 1, 2];
  const at = (i: number) => direct[i] as ZkClient;

  it('creates, reads, writes and deletes in the realm of the sharding key only', async () => {
    assert.deepEqual(zk.connectedRealms, []);
    await zk.create('/orders/o1', Buffer.from('one'), { createParents: true });
    await zk.create('/users/u1', Buffer.from('alice'), { createParents: true });
    await zk.create('/shared/a/x', Buffer.from('ax'), { createParents: true });
    assert.equal((await at(A).getData('/orders/o1')).data.toString(), 'one');
    assert.equal((await at(A).getData('/shared/a/x')).data.toString(), 'ax');
    assert.equal((await at(B).getData('/users/u1')).data.toString(), 'alice');
    assert.equal(await at(B).exists('/orders'), null);
    assert.equal(await at(C).exists('/orders'), null);
    assert.equal(await at(A).exists('/users'), null);

    const stat = await zk.setData('/orders/o1', Buffer.from('two'), { version: 0 });
    assert.equal(stat.version, 1);
    assert.equal((await at(A).getData('/orders/o1')).data.toString(), 'two');
    assert.equal((await zk.getData('/orders/o1')).data.toString(), 'two');
    assert.equal((await zk.exists('/users/u1'))?.version, 0);
    assert.equal(await zk.exists('/users/nobody'), null);
    await assert.rejects(zk.setData('/orders/o1', Buffer.from('x'), { version: 0 }), (e: unknown) => isZkError(e, 'BAD_VERSION'));

    const seq = await zk.create('/orders/seq-', null, { mode: 'persistent_sequential' });
    assert.match(seq, /^\/orders\/seq-\d{10}$/);
    assert.deepEqual((await zk.getChildren('/orders')).sort(), ['o1', seq.slice('/orders/'.length)].sort());

    await zk.delete(seq);
    await zk.create('/orders/tree/a/b', null, { createParents: true });
    await zk.deleteRecursive('/orders/tree');
    assert.equal(await at(A).exists('/orders/tree'), null);
    assert.deepEqual(zk.connectedRealms, [realms[A], realms[B]].sort());
  });

  it('fires data and child watches set through the federated client', async () => {
    const data = nextEvent();
    await zk.getData('/users/u1', { watch: data.watch });
    await at(B).setData('/users/u1', Buffer.from('bob'));
    assert.deepEqual(await withTimeout('data watch', data.event), { type: 'dataChanged', path: '/users/u1' });

    await at(C).mkdirs('/billing');
    const children = nextEvent();
    await zk.getChildren('/billing', { watch: children.watch });
    await at(C).create('/billing/b1', null);
    assert.deepEqual(await withTimeout('child watch', children.event), { type: 'childrenChanged', path: '/billing' });

    const created = nextEvent();
    assert.equal(await zk.exists('/billing/b2', { watch: created.watch }), null);
    await zk.create('/billing/b2', null);
    assert.deepEqual(await withTimeout('exists watch', created.event), { type: 'created', path: '/billing/b2' });
  });

  it('runs a multi within one realm atomically', async () => {
    await zk.multi([
      { op: 'create', path: '/orders/m1', data: Buffer.from('1') },
      { op: 'create', path: '/orders/m2', data: Buffer.from('2') },
      { op: 'setData', path: '/orders/o1', data: Buffer.from('three'), version: 1 },
    ]);
    assert.equal((await at(A).getData('/orders/m2')).data.toString(), '2');
    await assert.rejects(
      zk.multi([{ op: 'create', path: '/orders/m3' }, { op: 'check', path: '/orders/o1', version: 99 }]),
      (e: unknown) => isZkError(e, 'BAD_VERSION'),
    );
    assert.equal(await at(A).exists('/orders/m3'), null);
  });

  it('refuses paths under no key or above a key with RoutingError naming the path', async () => {
    await assert.rejects(zk.create('/nokey/x', null), (e: unknown) => e instanceof RoutingError && e.path === '/nokey/x' && e.message.includes('/nokey/x'));
    await assert.rejects(zk.getChildren('/shared'), (e: unknown) => e instanceof RoutingError && e.reason === 'PREFIX_OF_KEY');
    await assert.rejects(zk.getData('/ordersx'), RoutingError);
  });

  it('refuses ephemeral nodes, cross-realm multi and session operations with UnsupportedError', async () => {
    await assert.rejects(zk.create('/orders/e', null, { mode: 'ephemeral' as never }), (e: unknown) => isBatonError(e, 'UNSUPPORTED') && e.message.includes('ephemeral'));
    await assert.rejects(zk.multi([{ op: 'create', path: '/orders/e2', mode: 'ephemeral_sequential' }]), (e: unknown) => isBatonError(e, 'UNSUPPORTED'));
    await assert.rejects(
      zk.multi([{ op: 'create', path: '/orders/x1' }, { op: 'create', path: '/users/x2' }]),
      (e: unknown) => isBatonError(e, 'UNSUPPORTED') && e.message.includes('multi') && e.message.includes(realms[A] as string) && e.message.includes(realms[B] as string),
    );
    assert.equal(await at(A).exists('/orders/x1'), null);
    assert.equal(await at(A).exists('/orders/e'), null);
    assert.throws(() => zk.sessionId, (e: unknown) => isBatonError(e, 'UNSUPPORTED') && e.message.includes('sessionId'));
    assert.throws(() => zk.onStateChange(), (e: unknown) => isBatonError(e, 'UNSUPPORTED'));
  });

  it('when one realm server stops, its calls fail with a typed error and the others keep working', async () => {
    await zk.exists('/billing'); // connected before the stop
    await servers[C]?.stop();
    await assert.rejects(zk.getData('/billing/b1'), (e: unknown) => e instanceof BatonError && ['ZOOKEEPER', 'STORE_UNAVAILABLE'].includes(e.code));
    assert.equal((await zk.getData('/orders/o1')).data.toString(), 'three');
    await zk.setData('/users/u1', Buffer.from('carol'));
    assert.equal((await at(B).getData('/users/u1')).data.toString(), 'carol');
  });

  it('rejects every call after close with ClosedError', async () => {
    await zk.close();
    await assert.rejects(zk.getData('/orders/o1'), (e: unknown) => isBatonError(e, 'CLOSED'));
    await assert.rejects(zk.multi([{ op: 'delete', path: '/orders/o1' }]), (e: unknown) => isBatonError(e, 'CLOSED'));
    await assert.rejects(zk.route('/orders'), (e: unknown) => isBatonError(e, 'CLOSED'));
  });
});
