/**
 * Throttled moves end to end, on any backend: nodes a and b hold every bucket, c joins, and the
 * leader (an AssignService under move caps) hands c its share. At every consistent reading
 * (the stored targets did not change while the holders were read), the buckets whose stored
 * node does not hold their election (`Backend.leader`, as the leader itself judges it) number
 * at most the cap; and the join completes: c holds its share, every bucket its stored node.
 */
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/contract/index.js';
import { AssignService } from '../../src/buckets/assign-service.js';
import { bucketElection } from '../../src/buckets/bucket-layout.js';
import { BucketOwner } from '../../src/buckets/bucket-owner.js';
import type { MoveLimits } from '../../src/owned-items/move-throttle.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { waitFor } from '../support/wait.js';
import { TestCluster, freshCluster, lead, storedTable, type BucketHarness, type TestNode } from './bucket-harness.js';

export interface ThrottledJoinCase {
  readonly count: number;
  readonly limits: MoveLimits;
  /** The most buckets that may be in handoff at once in this join (every move involves c). */
  readonly bound: number;
  /**
   * How long a holder takes to stop its work when a bucket is moved away (its `released`
   * listener), as a real worker would: it keeps a batch of handoffs under way long enough for
   * the readings to see it.
   */
  readonly releaseMs: number;
  /** How long the whole join may take on a loaded machine (a guard against a hang, not a speed target). */
  readonly timeoutMs: number;
}

/** One reading: buckets whose stored node does not hold them, or null when the targets changed meanwhile. */
async function inHandoff(reader: Backend, count: number): Promise<number | null> {
  const stored = await storedTable(reader, count);
  const target = new Map([...stored].flatMap(([nodeId, buckets]) => buckets.map((b) => [b, nodeId] as const)));
  const ids = Array.from({ length: count }, (_, i) => String(i + 1));
  const holders = await Promise.all(ids.map(async (id) => (await reader.leader(bucketElection(id)))?.nodeId ?? null));
  const again = await storedTable(reader, count);
  if (JSON.stringify([...again]) !== JSON.stringify([...stored])) return null;
  return ids.filter((id, i) => target.get(id) !== holders[i]).length;
}

export function describeThrottledJoin(harness: BucketHarness, join: ThrottledJoinCase): void {
  describe(`throttled moves (${harness.name}, ${join.count} buckets, ${JSON.stringify(join.limits)})`, () => {
    before(() => harness.setup());
    after(() => harness.teardown());

    it(`a join never has more than ${join.bound} buckets in handoff at once, and completes`, async () => {
      const cluster = new TestCluster(harness, freshCluster('throttle'));
      const owners: BucketOwner[] = [];
      const own = async (node: TestNode) => {
        const owner = new BucketOwner({ backend: node.backend, session: node.session, bucketCount: join.count });
        owners.push(owner);
        owner.on('released', () => delay(join.releaseMs));
        await owner.start();
      };
      try {
        const [a, b] = [await cluster.node('a'), await cluster.node('b')];
        const reader = await cluster.reader();
        await Promise.all([own(a), own(b)]);
        const leadership = await lead(a);
        const svc = new AssignService({ backend: a.backend, leadership, clock: new FakeClock(), buckets: { count: join.count, ...join.limits } });
        // The first placement, at once (tick opens the settle gate): unheld buckets, not throttled.
        const first = await svc.tick();
        assert.equal(first.deferred, 0, 'placing unheld buckets is never held back');
        const running = svc.run();
        await waitFor('a and b to hold every bucket', async () => (await inHandoff(reader, join.count)) === 0, { timeoutMs: join.timeoutMs });

        // Readings start before c joins, so the first moves cannot slip by unseen.
        let most = 0;
        let readings = 0;
        let joined = false;
        const done = waitFor('c to hold its share', async () => {
          const moving = await inHandoff(reader, join.count);
          if (moving === null) return false;
          readings++;
          most = Math.max(most, moving);
          const share = (await storedTable(reader, join.count)).get('c')?.length ?? 0;
          return joined && moving === 0 && share >= Math.floor(join.count / 3);
        }, { timeoutMs: join.timeoutMs, intervalMs: 1 });
        const c = await cluster.node('c');
        await own(c);
        joined = true;
        await done;
        assert.ok(most <= join.bound, `at most ${join.bound} buckets in handoff at once, seen ${most}`);
        assert.ok(most > 0, `the join was seen under way (${readings} readings)`);
        assert.equal(owners[2]?.owned().length, (await storedTable(reader, join.count)).get('c')?.length);
        await leadership.resign();
        assert.equal(await running, 'term-ended');
      } finally {
        await Promise.allSettled(owners.map((o) => o.close({ leave: false })));
        await cluster.close();
      }
    });
  });
}
