/**
 * `buckets.layout: amoro` on a real ZooKeeper: baton's leader writes the znodes Amoro's
 * ZkBucketAssignStore reads (`/{cluster}/amoro/ams/bucket-assignments/{host:port}/assignments`
 * and `last-update-time`, persistent, Jackson's compact JSON list and Java's decimal epoch ms),
 * with fenced writes; and znodes written the way Amoro writes them (Curator: the folder holding
 * the creating host's address, parents with no data) are shown by `baton buckets` and
 * GET /buckets. Other stores and node ids that are not `host:port` are refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BucketsFeature } from '../../src/buckets/buckets-feature.js';
import { runCli } from '../../src/cli/run-cli.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import { ConfigError, FencedError } from '../../src/errors.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/index.js';
import { ZkClient } from '../../src/zk-client/zk-client.js';
import { captureIo } from '../support/capture-io.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { waitFor } from '../support/wait.js';
import { getJson, silentLogger, testConfig } from '../node/node-helpers.js';

const COUNT = 6;
const text = async (zk: ZkClient, path: string) => (await zk.getData(path)).data.toString('utf8');

describe('the Amoro layout of bucket assignments on ZooKeeper', () => {
  let zk: StandaloneZooKeeper;
  let raw: ZkClient;
  let store: string;
  const nodes: BatonNode[] = [];

  before(async () => {
    zk = await startStandalone();
    store = `zookeeper://${zk.connectString}`;
    raw = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: 4_000 });
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await raw?.close();
    await zk?.close();
  });

  const start = async (nodeId: string, buckets: Record<string, unknown>, cluster = 'baton-amoro') => {
    const node = await startNode(testConfig({ store, cluster, nodeId, buckets }), { logger: silentLogger });
    nodes.push(node);
    return node;
  };

  it('baton\'s leader writes the assignments where and as Amoro reads them, fenced', async () => {
    const layout = { enabled: true, count: COUNT, layout: 'amoro', amoroCluster: 'amo1', offlineGraceMs: 600_000 };
    const a = await start('10.0.0.1:1261', layout);
    const b = await start('10.0.0.2:1261', layout);
    const features = [a, b].map((n) => n.feature<BucketsFeature>('buckets')!);
    await waitFor('each node to own 3 buckets', () => features.every((f) => f.owned().length === 3));
    const base = '/amo1/amoro/ams/bucket-assignments';
    assert.deepEqual((await raw.getChildren(base)).sort(), ['10.0.0.1:1261', '10.0.0.2:1261']);
    for (const [i, nodeId] of ['10.0.0.1:1261', '10.0.0.2:1261'].entries()) {
      const { data, stat } = await raw.getData(`${base}/${nodeId}/assignments`);
      // Jackson's toJSONString of a List<String>: compact, every id a string.
      assert.equal(data.toString('utf8'), `[${features[i]!.owned().map((id) => `"${id}"`).join(',')}]`);
      assert.equal(stat.ephemeralOwner, null, 'assignments are persistent, as Amoro creates them');
      const time = await raw.getData(`${base}/${nodeId}/last-update-time`);
      assert.match(time.data.toString('utf8'), /^\d{13}$/, 'String.valueOf(System.currentTimeMillis())');
      assert.ok(Math.abs(Number(time.data.toString('utf8')) - Date.now()) < 600_000);
      assert.equal(time.stat.ephemeralOwner, null);
    }
    assert.equal((await raw.exists('/baton-amoro/baton/kv/bucket-assignments')), null, 'nothing in baton\'s own layout');

    // A writer holding no term of the election cannot write there: the write is fenced.
    const outsider = await createZookeeperBackend({ connect: zk.connectString, cluster: 'baton-amoro' });
    try {
      const kv = outsider.kvAtPath!('/amo1/amoro/ams');
      const before = await text(raw, `${base}/10.0.0.1:1261/assignments`);
      await assert.rejects(kv.put('bucket-assignments/10.0.0.1:1261/assignments', ['1', '2', '3', '4', '5', '6'], { fence: { election: 'leader', term: 1, sessionId: '0000000000000001' } }), FencedError);
      assert.equal(await text(raw, `${base}/10.0.0.1:1261/assignments`), before);
    } finally {
      await outsider.close();
    }
  });

  it('an Amoro cluster\'s assignments, written as Amoro writes them, show in `baton buckets` and GET /buckets', async () => {
    const base = '/amo2/amoro/ams/bucket-assignments';
    // ZkBucketAssignStore: the folder created with Curator's default data (the local address),
    // node folders by creatingParentsIfNeeded (no data), then the two persistent znodes.
    await raw.mkdirs('/amo2/amoro/ams');
    await raw.create(base, Buffer.from('192.168.7.21'));
    const amoro = { '10.0.0.1:1261': ['1', '2', '5'], '10.0.0.2:1261': ['3', '4', '6'] };
    for (const [key, ids] of Object.entries(amoro)) {
      await raw.create(`${base}/${key}`, Buffer.alloc(0));
      await raw.create(`${base}/${key}/assignments`, Buffer.from(JSON.stringify(ids)));
      await raw.create(`${base}/${key}/last-update-time`, Buffer.from('1732968000000'));
    }
    const flags = ['--store', store, '--cluster', 'reader', '--buckets-count', String(COUNT), '--buckets-layout', 'amoro', '--buckets-amoro-cluster', 'amo2'];
    const io = captureIo();
    assert.equal(await runCli(['buckets', '--json', ...flags], io), 0, io.stderr.join('\n'));
    const status = JSON.parse(io.stdout.join('')) as { nodes: { nodeId: string; buckets: string[]; lastUpdateTime: number }[]; unassigned: string[]; corruptKeys: string[] };
    assert.deepEqual(status.nodes.map((n) => [n.nodeId, n.buckets, n.lastUpdateTime]), [
      ['10.0.0.1:1261', ['1', '2', '5'], 1732968000000],
      ['10.0.0.2:1261', ['3', '4', '6'], 1732968000000],
    ]);
    assert.deepEqual(status.unassigned, []);
    assert.deepEqual(status.corruptKeys, [], 'the folder\'s own data is not a document');
    const human = captureIo();
    assert.equal(await runCli(['buckets', ...flags], human), 0, human.stderr.join('\n'));
    assert.match(human.stdout.join('\n'), /10\.0\.0\.1:1261\s.*1-2,5/);

    const reader = await start('reader-1', { enabled: false, count: COUNT, layout: 'amoro', amoroCluster: 'amo2' }, 'reader');
    const { status: code, body } = await getJson(`${reader.url}/buckets`);
    assert.equal(code, 200);
    assert.deepEqual((body['nodes'] as { nodeId: string; buckets: string[] }[]).filter((n) => n.buckets.length > 0).map((n) => [n.nodeId, n.buckets]), [
      ['10.0.0.1:1261', ['1', '2', '5']],
      ['10.0.0.2:1261', ['3', '4', '6']],
    ]);
  });

  it('a node id that is not host:port is refused with the amoro layout', async () => {
    await assert.rejects(start('node-a', { enabled: true, count: COUNT, layout: 'amoro', amoroCluster: 'amo3' }, 'refused'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /not an Amoro node key/);
      return true;
    });
  });
});

describe('the Amoro layout on a store other than ZooKeeper', () => {
  let fixture: SqlFixture;
  before(async () => {
    fixture = await createSqliteFixture();
  });
  after(async () => fixture?.teardown());

  it('is refused at a node\'s start with a message naming the layout and the store', async () => {
    const config = testConfig({ store: fixture.url, cluster: 'sql-amoro', nodeId: '10.0.0.1:1261', buckets: { enabled: true, count: COUNT, layout: 'amoro' } });
    await assert.rejects(startNode(config, { logger: silentLogger }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /"amoro" needs the ZooKeeper store.*this store is sqlite/);
      return true;
    });
  });
});
