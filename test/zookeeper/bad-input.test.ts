import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Backend } from '../../src/contract/index.js';
import { openStore, parseStoreUrl } from '../../src/backends/open-store.js';
import { ZkClient, ZkLayout, createZookeeperBackend, parseZookeeperUrl } from '../../src/backends/zookeeper/index.js';
import { ZkKv } from '../../src/backends/zookeeper/zk-kv.js';
import { ConfigError, CorruptDocumentError, isBatonError } from '../../src/errors.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

describe('ZooKeeper addresses', () => {
  it('parses hosts, default ports and a chroot', () => {
    assert.deepEqual(parseZookeeperUrl('zookeeper://zk1:2181,zk2,10.0.0.3:2182/apps/baton'), {
      connect: 'zk1:2181,zk2:2181,10.0.0.3:2182',
      chroot: '/apps/baton',
    });
    assert.deepEqual(parseZookeeperUrl('zookeeper://localhost:2181/'), { connect: 'localhost:2181', chroot: undefined });
    assert.equal(parseStoreUrl('zookeeper://a:1,b:2/x').kind, 'zookeeper');
  });

  for (const url of [
    'zk://host:2181',
    'zookeeper://',
    'zookeeper://host:2181,,host2:2181',
    'zookeeper://host:99999',
    'zookeeper://host:port',
    'zookeeper://ho st:2181',
    'zookeeper://host:2181/a//b',
    'zookeeper://host:2181/a/../b',
    'zookeeper://host:2181/zookeeper',
  ]) {
    it(`rejects ${url} with ConfigError('store') saying what is allowed`, () => {
      assert.throws(
        () => parseZookeeperUrl(url),
        (e: unknown) => e instanceof ConfigError && e.key === 'store' && e.message.includes('zookeeper://host1:2181'),
      );
    });
  }
});

describe('ZooKeeper backend with bad input', () => {
  let zk: StandaloneZooKeeper;
  let admin: ZkClient;
  const backends: Backend[] = [];

  before(async () => {
    zk = await startStandalone();
    admin = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: 10_000 });
  });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    await admin?.close();
    await zk?.close();
  });

  it('creates a chroot that does not exist, and keeps everything inside it', async () => {
    const chroot = `/tenants/t-${randomBytes(4).toString('hex')}`;
    assert.equal(await admin.exists(chroot), null);
    const backend = await openStore(`zookeeper://${zk.connectString}${chroot}`, { cluster: 'c1' });
    backends.push(backend);
    await backend.kv.put('a/b', { ok: true });
    assert.ok(await admin.exists(`${chroot}/c1/baton/kv/a/b`));
    assert.equal(await admin.exists('/c1'), null, 'nothing written outside the chroot');
  });

  it('reports garbage in znodes as CorruptDocumentError naming the key, and carries on', async () => {
    const cluster = 'garbage';
    const layout = new ZkLayout(cluster);
    const backend = await createZookeeperBackend({ connect: zk.connectString, cluster });
    backends.push(backend);
    await admin.create(layout.kvPath('bad/doc'), Buffer.from([0xff, 0x00, 0x7b]), { createParents: true });
    await backend.kv.put('bad/ok', 1);
    await assert.rejects(backend.kv.get('bad/doc'), (e: unknown) => e instanceof CorruptDocumentError && e.key === 'bad/doc');
    assert.deepEqual((await backend.kv.list('bad/')).map((e) => e.key), ['bad/ok']);

    await admin.create(`${layout.election('boss')}/n_`, Buffer.from('not json'), { mode: 'persistent_sequential', createParents: true });
    await assert.rejects(backend.leader('boss'), (e: unknown) => e instanceof CorruptDocumentError && e.key.startsWith('elections/boss/n_'));

    await admin.create(layout.member('zombie'), Buffer.from('[1,2'), { createParents: true });
    const session = await backend.openSession({ nodeId: 'alive', info: { host: 'alive' }, timing: { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 } });
    assert.deepEqual((await backend.members()).map((m) => m.nodeId), ['alive'], 'the corrupt member is skipped');
    // A member znode deleted behind the session's back is published again by updateInfo.
    await admin.delete(layout.member('alive'));
    await session.updateInfo({ host: 'alive', zone: 'z2' });
    assert.deepEqual((await backend.members()).map((m) => [m.nodeId, m.sessionId, m.info['zone']]), [['alive', session.id, 'z2']]);
    await session.close();
  });

  it('keeps keys nested in other keys apart from the empty parent znodes between them', async () => {
    const backend = await createZookeeperBackend({ connect: zk.connectString, cluster: 'nested' });
    backends.push(backend);
    await backend.kv.put('p/q', 'child');
    // The znode kv/p exists (a parent, version 0) but the key "p" does not.
    assert.equal(await backend.kv.get('p'), null);
    await assert.rejects(backend.kv.put('p', 'x', { expectVersion: 1 }), (e: unknown) => isBatonError(e, 'VERSION_CONFLICT'));
    const v = await backend.kv.put('p', 'parent', { expectVersion: null });
    assert.deepEqual(await backend.kv.get('p'), { key: 'p', value: 'parent', version: v });
    assert.deepEqual((await backend.kv.list('')).map((e) => e.key), ['p', 'p/q']);
    await assert.rejects(backend.kv.put('big', 'x'.repeat(1_100_000)), (e: unknown) => isBatonError(e, 'INVALID_ARGUMENT'));
    await backend.kv.delete('p', { expectVersion: v });
    assert.equal(await backend.kv.get('p'), null);
    assert.deepEqual((await backend.kv.list('')).map((e) => [e.key, e.value]), [['p/q', 'child']]);
  });

  it('refuses a session whose ttl the server will not grant', async () => {
    const backend = await createZookeeperBackend({ connect: zk.connectString, cluster: 'ttl' });
    backends.push(backend);
    // The test server grants at most 60 s: asking for more gets less, which would break the deadline rule.
    const timing = { ttlMs: 120_000, renewDeadlineMs: 60_000, retryPeriodMs: 2_000, pollIntervalMs: 500 };
    await assert.rejects(backend.openSession({ nodeId: 'n', info: {}, timing }), (e: unknown) => e instanceof ConfigError && e.key === 'election.ttlMs');
    assert.deepEqual(await backend.members(), []);
  });

  it('a write fenced on a candidate znode that is gone fails whole with FencedError', async () => {
    const layout = new ZkLayout('fence');
    await admin.mkdirs(layout.kv);
    const kv = new ZkKv({
      client: async () => admin,
      layout,
      // A holder that has not yet noticed its term ended: its znode is already gone.
      resolveFence: () => ({ path: `${layout.election('e')}/n_0000000000`, version: 0 }),
      watch: () => undefined,
    });
    const fence = { election: 'e', term: 1, sessionId: admin.sessionId };
    await assert.rejects(kv.put('x', 'stale', { fence }), (e: unknown) => isBatonError(e, 'FENCED'));
    await assert.rejects(kv.delete('x', { fence }), (e: unknown) => isBatonError(e, 'FENCED'));
    assert.equal(await admin.exists(layout.kvPath('x')), null, 'nothing landed');
  });
});
