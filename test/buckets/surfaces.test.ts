/**
 * The bucket feature inside real nodes (startNode, SQLite): GET /buckets, the metrics, the
 * feature's library API, `baton buckets`, and a graceful node stop handing its buckets over at
 * once (not after the grace).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BucketsFeature } from '../../src/buckets/buckets-feature.js';
import type { CliIo } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run-cli.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError, NotFoundError } from '../../src/errors.js';
import { startNode } from '../../src/http/start-node.js';
import { BatonNode } from '../../src/node/index.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { FAST_TIMING, getJson, silentLogger, testConfig } from '../node/node-helpers.js';

const COUNT = 10;
/** Far longer than the test waits: only a graceful leave (not the grace) can move the buckets in time. */
const GRACE_MS = 600_000;

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env: {}, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

describe('bucket surfaces in a running node (SQLite)', () => {
  let fixture: SqlFixture;
  const nodes: BatonNode[] = [];
  const cluster = `surf-${process.pid}`;

  before(async () => {
    fixture = await createSqliteFixture();
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await fixture?.teardown();
  });

  async function start(nodeId: string): Promise<BatonNode> {
    const config = testConfig({ store: fixture.url, cluster, nodeId, buckets: { enabled: true, count: COUNT, offlineGraceMs: GRACE_MS } });
    const node = await startNode(config, { logger: silentLogger });
    nodes.push(node);
    return node;
  }

  it('serves /buckets, metrics and `baton buckets`, and hands over at once on a graceful stop', async () => {
    const a = await start('a');
    const b = await start('b');
    const featureA = a.feature<BucketsFeature>('buckets')!;
    const featureB = b.feature<BucketsFeature>('buckets')!;
    await waitFor('each node to own 5 buckets', () => featureA.owned().length === 5 && featureB.owned().length === 5);
    assert.equal(a.buckets, featureA, 'node.buckets is the bucket feature');
    assert.deepEqual(b.buckets.owned(), featureB.owned());

    const { status, body } = await getJson(`${a.url}/buckets`);
    assert.equal(status, 200);
    assert.equal(body['bucketCount'], COUNT);
    assert.deepEqual(body['self'], { nodeId: 'a', owned: featureA.owned() });
    const rows = body['nodes'] as { nodeId: string; count: number; state: string; lastUpdateTime: number | null }[];
    assert.deepEqual(rows.map((r) => [r.nodeId, r.count, r.state]), [['a', 5, 'live'], ['b', 5, 'live']]);
    assert.ok(rows.every((r) => typeof r.lastUpdateTime === 'number'));
    assert.deepEqual(body['unassigned'], []);

    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    assert.match(metrics, /^baton_buckets_owned\{[^}]*nodeId="a"[^}]*\} 5$/m);
    assert.match(metrics, /baton_bucket_assign_duration_seconds/);

    const io = capture();
    const code = await runCli(['buckets', '--json', '--store', fixture.url, '--cluster', cluster, '--buckets-count', String(COUNT)], io);
    assert.equal(code, 0, io.stderr);
    const cli = JSON.parse(io.stdout) as { nodes: { nodeId: string; count: number }[] };
    assert.deepEqual(cli.nodes.map((n) => [n.nodeId, n.count]), [['a', 5], ['b', 5]]);
    const human = capture();
    assert.equal(await runCli(['buckets', '--store', fixture.url, '--cluster', cluster, '--buckets-count', String(COUNT)], human), 0);
    assert.match(human.stdout, /^a\s+live\s+5\s/m);

    const released: string[] = [];
    b.buckets.on('released', (bucket) => void released.push(bucket));
    await b.close();
    assert.equal(released.length, 5, 'b released its buckets on close');
    await waitFor('a to own all 10 (graceful leave: no grace wait)', () => featureA.owned().length === COUNT, { timeoutMs: 20_000 });
  });

  it('node.buckets: the feature when enabled, NotFoundError naming the setting when not', () => {
    const enabled = new BatonNode(testConfig({ store: fixture.url, cluster, nodeId: 'x', buckets: { enabled: true, count: COUNT } }), { logger: silentLogger });
    assert.ok(enabled.buckets instanceof BucketsFeature);
    assert.deepEqual(enabled.buckets.owned(), [], 'a node that has not started owns nothing');
    const disabled = new BatonNode(testConfig({ store: fixture.url, cluster, nodeId: 'y' }), { logger: silentLogger });
    assert.throws(() => disabled.buckets, (e) => e instanceof NotFoundError && e.what === 'buckets' && /buckets\.enabled: true/.test(e.message));
  });

  it('rejects bad bucket settings and a node id with a slash in the config (ConfigError)', () => {
    const bad = (values: Record<string, unknown>, key: string) =>
      assert.throws(() => loadConfig({ env: {}, values: { election: FAST_TIMING, ...values } }), (e) => e instanceof ConfigError && e.key === key);
    bad({ buckets: { count: 0 } }, 'buckets.count');
    bad({ buckets: { count: -5 } }, 'buckets.count');
    bad({ buckets: { count: 2.5 } }, 'buckets.count');
    bad({ buckets: { offlineGraceMs: -1 } }, 'buckets.offlineGraceMs');
    bad({ nodeId: 'a/b' }, 'nodeId');
    assert.throws(() => loadConfig({ env: { BATON_BUCKETS_COUNT: '0' } }), (e) => e instanceof ConfigError && e.key === 'buckets.count');
  });
});
