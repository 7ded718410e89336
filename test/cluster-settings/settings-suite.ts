/**
 * The cluster's shared settings against a real store: a node whose bucket count, or whose
 * resource's partitions or replicas, differ from what the cluster stores refuses to start with
 * a message naming both values; nodes starting at once agree on one stored value; readers use
 * the stored value; an older cluster without stored settings gets them from its first node.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BucketsFeature } from '../../src/buckets/buckets-feature.js';
import { openStore } from '../../src/backends/open-store.js';
import { agreeOnBucketSettings, readBucketSettings } from '../../src/cluster-settings/index.js';
import type { Backend, Kv } from '../../src/contract/contract.js';
import { ConfigError, isBatonError } from '../../src/errors.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/index.js';
import { cliInProcess } from '../cli/cli-capture.js';
import { getJson, silentLogger, testConfig } from '../node/node-helpers.js';
import { waitFor } from '../support/wait.js';

/** Timings a loaded machine's pauses cannot end (ms, real clocks); nothing here waits for expiry. */
const TIMING = { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const RESOURCE = 'ordersResource';

/** A store for one test file: its URL, and how to remove it. */
export interface StoreFixture {
  readonly url: string;
  teardown(): Promise<void>;
}

export function describeSharedSettings(name: string, createFixture: () => Promise<StoreFixture>): void {
  describe(`shared cluster settings (${name})`, () => {
    let fixture: StoreFixture;
    const nodes: BatonNode[] = [];
    const backends: Backend[] = [];
    let clusters = 0;
    const newCluster = () => `settings-${process.pid}-${++clusters}`;

    before(async () => {
      fixture = await createFixture();
    });
    after(async () => {
      await Promise.allSettled([...nodes.map((n) => n.close()), ...backends.map((b) => b.close())]);
      await fixture?.teardown();
    });

    async function start(cluster: string, nodeId: string, values: Record<string, unknown>): Promise<BatonNode> {
      const node = await startNode(testConfig({ store: fixture.url, cluster, nodeId, election: TIMING, ...values }), { logger: silentLogger });
      nodes.push(node);
      return node;
    }
    const buckets = (count: number) => ({ buckets: { enabled: true, count } });
    const resource = (partitions: number, replicas: number) => ({ partitions: { [RESOURCE]: { partitions, replicas } } });
    const store = (cluster: string) => ['--store', fixture.url, '--cluster', cluster];
    async function open(cluster: string): Promise<Backend> {
      const backend = await openStore(fixture.url, { cluster, pollIntervalMs: TIMING.pollIntervalMs });
      backends.push(backend);
      return backend;
    }

    it('a second node with another bucket count refuses to start, naming both values and how to change them', async () => {
      const cluster = newCluster();
      const first = await start(cluster, 'a', buckets(64));
      await assert.rejects(start(cluster, 'b', buckets(100)), (error) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(error.key, 'buckets.count');
        assert.match(error.message, /this node has 100, the cluster stores 64/);
        assert.match(error.message, /settings\/buckets/);
        assert.match(error.message, new RegExp(`baton settings set buckets\\.count=100 --store URL --cluster ${cluster}`));
        return true;
      });
      const members = await first.backend.members();
      assert.deepEqual(members.map((m) => m.nodeId), ['a'], 'the refused node left the cluster at once');
      assert.deepEqual(await readBucketSettings(first.backend.kv), { count: 64 }, 'the stored value is unchanged');
      const same = await start(cluster, 'c', buckets(64));
      assert.equal(same.config.buckets?.count, 64, 'a node with the stored value starts');
    });

    it('nodes that start at once agree on one stored value (compare-and-set: the first create wins)', async () => {
      const cluster = newCluster();
      const counts = [10, 20, 30, 40];
      const opened = await Promise.all(counts.map(() => open(cluster)));
      // Every contender reads "nothing stored" before any of them writes: the create race itself.
      const readAll = barrier(counts.length);
      const lost = new AbortController();
      const results = await Promise.allSettled(
        opened.map((backend, i) =>
          agreeOnBucketSettings(
            { backend: Object.assign(Object.create(backend) as Backend, { kv: firstGetWaits(backend.kv, readAll) }), session: { lost: lost.signal, timing: { retryPeriodMs: TIMING.retryPeriodMs } }, logger: silentLogger },
            { count: counts[i] as number },
          ),
        ),
      );
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [counts[i]] : []));
      assert.equal(won.length, 1, `exactly one create lands, got ${JSON.stringify(results.map((r) => r.status))}`);
      assert.deepEqual(await readBucketSettings(opened[0]!.kv), { count: won[0] });
      for (const result of results) {
        if (result.status === 'fulfilled') continue;
        assert.ok(isBatonError(result.reason, 'CONFIG'), String(result.reason));
        assert.match((result.reason as Error).message, new RegExp(`the cluster stores ${won[0]}\\b`));
      }

      // Two whole nodes at once: exactly one starts; the other names its value.
      const other = newCluster();
      const both = await Promise.allSettled([start(other, 'x', buckets(8)), start(other, 'y', buckets(9))]);
      assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(both.map((r) => r.status)));
      const refused = both.find((r) => r.status === 'rejected');
      assert.ok(refused !== undefined && isBatonError(refused.reason, 'CONFIG'));
    });

    it('`baton buckets` and GET /buckets read the stored count: a 64-bucket cluster shows no 65-100', async () => {
      const cluster = newCluster();
      const node = await start(cluster, 'a', buckets(64));
      await waitFor('the node to own all 64 buckets', () => node.feature<BucketsFeature>('buckets')?.owned().length === 64, { timeoutMs: 30_000 });
      const human = await cliInProcess(['buckets', ...store(cluster)]);
      assert.equal(human.code, 0, human.err);
      assert.match(human.out, /^64 buckets$/m);
      assert.doesNotMatch(human.out, /unassigned|65-100/);
      assert.match(human.out, /^a\s+live\s+64\s/m);
      assert.equal(human.err, '', 'nothing to note: the count is the stored one');
      const machine = await cliInProcess(['buckets', '--json', ...store(cluster)]);
      const status = JSON.parse(machine.out) as { bucketCount: number; unassigned: string[]; bucketCountSource: string };
      assert.deepEqual([status.bucketCount, status.unassigned, status.bucketCountSource], [64, [], 'stored']);
      // The old flag still parses; the stored count wins and the user is told.
      const flagged = await cliInProcess(['buckets', '--buckets-count', '100', ...store(cluster)]);
      assert.equal(flagged.code, 0, flagged.err);
      assert.match(flagged.out, /^64 buckets$/m);
      assert.match(flagged.err, /stored bucket count 64; the configured 100 is ignored/);
      // A node that runs no buckets reports the cluster's count too.
      const plain = await start(cluster, 'p', {});
      const { body } = await getJson(`${plain.url}/buckets`);
      assert.equal(body['bucketCount'], 64);
    });

    it('a node whose resource has other partitions or replicas refuses to start; readers use the stored count', async () => {
      const cluster = newCluster();
      const first = await start(cluster, 'a', resource(8, 1));
      await assert.rejects(start(cluster, 'b', resource(12, 1)), (error) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(error.key, `partitions.${RESOURCE}.partitions`);
        assert.match(error.message, new RegExp(`partitions\\.${RESOURCE}\\.partitions: this node has 12, the cluster stores 8`));
        return true;
      });
      await assert.rejects(start(cluster, 'c', resource(8, 2)), (error) => error instanceof ConfigError && error.key === `partitions.${RESOURCE}.replicas` && /this node has 2, the cluster stores 1/.test(error.message));
      assert.deepEqual((await first.backend.members()).map((m) => m.nodeId), ['a']);
      const tables = await cliInProcess(['tables', '--resource', RESOURCE, '--json', ...store(cluster)]);
      assert.equal(tables.code, 0, tables.err);
      const view = JSON.parse(tables.out) as { leadControllerEntryMap: Record<string, unknown> };
      assert.equal(Object.keys(view.leadControllerEntryMap).length, 8, 'the stored 8 partitions, not the default 24');
      const shown = await cliInProcess(['settings', '--json', ...store(cluster)]);
      assert.deepEqual(JSON.parse(shown.out), { cluster, buckets: null, partitions: { [RESOURCE]: { partitions: 8, replicas: 1 } }, corruptKeys: [] });
    });

    it('a cluster from before stored settings: readers fall back with a note, its first node stores them', async () => {
      const cluster = newCluster();
      const old = await open(cluster);
      await old.kv.put('bucket-assignments/old/assignments', ['1', '2']); // what an older leader left
      const before = await cliInProcess(['buckets', '--json', '--buckets-count', '8', ...store(cluster)]);
      assert.equal(before.code, 0, before.err);
      assert.equal((JSON.parse(before.out) as { bucketCount: number }).bucketCount, 8);
      assert.match(before.err, /stores no bucket count yet .* assuming 8/);
      await start(cluster, 'a', buckets(8));
      assert.deepEqual(await readBucketSettings(old.kv), { count: 8 });
      const after = await cliInProcess(['buckets', ...store(cluster)]);
      assert.equal(after.err, '');
      assert.match(after.out, /^8 buckets$/m);
    });

    it('a corrupt settings document stops a starting node, is listed by `baton settings` and rewritten by `set`', async () => {
      const cluster = newCluster();
      const backend = await open(cluster);
      await backend.kv.put('settings/buckets', { count: 'many' });
      await assert.rejects(start(cluster, 'a', buckets(8)), (error) => error instanceof ConfigError && error.key === 'buckets' && /settings\/buckets" is corrupt/.test(error.message) && /baton settings set buckets\.count=N/.test(error.message));
      const shown = await cliInProcess(['settings', '--json', ...store(cluster)]);
      assert.deepEqual((JSON.parse(shown.out) as { corruptKeys: string[] }).corruptKeys, ['settings/buckets']);
      const fixed = await cliInProcess(['settings', 'set', 'buckets.count=8', ...store(cluster)]);
      assert.equal(fixed.code, 0, fixed.err);
      assert.match(fixed.out, /^buckets: \(none\) -> count 8$/m);
      await start(cluster, 'a', buckets(8));
    });

    it('`baton settings set` refuses while nodes are live, then changes the value the next nodes must have', async () => {
      const cluster = newCluster();
      const node = await start(cluster, 'a', buckets(16));
      const busy = await cliInProcess(['settings', 'set', 'buckets.count=32', ...store(cluster)]);
      assert.equal(busy.code, 1);
      assert.match(busy.err, /while nodes are live \(a\)/);
      await node.close();
      const changed = await cliInProcess(['settings', 'set', 'buckets.count=32', ...store(cluster)]);
      assert.equal(changed.code, 0, changed.err);
      assert.match(changed.out, /^buckets: count 16 -> count 32$/m);
      await assert.rejects(start(cluster, 'b', buckets(16)), (error) => error instanceof ConfigError && /the cluster stores 32/.test(error.message));
      await start(cluster, 'c', buckets(32));
      const bad = await cliInProcess(['settings', 'set', 'buckets.count=0', ...store(cluster)]);
      assert.equal(bad.code, 2, 'a value the config would refuse is a usage error');
    });
  });
}

/** Resolves once `n` callers have arrived. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    if (++arrived === n) open();
    return opened;
  };
}

/** `kv` whose first `get` answers only once every contender has read (later reads go straight). */
function firstGetWaits(kv: Kv, arrive: () => Promise<void>): Kv {
  let first = true;
  return {
    get: async (key, options) => {
      const entry = await kv.get(key, options);
      if (first) {
        first = false;
        await arrive();
      }
      return entry;
    },
    list: (prefix, options) => kv.list(prefix, options),
    put: (key, value, options) => kv.put(key, value, options),
    delete: (key, options) => kv.delete(key, options),
    watch: (prefix, listener, options) => kv.watch(prefix, listener, options),
  };
}
