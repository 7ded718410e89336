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
import type { Backend, SessionTiming } from '../../src/contract/index.js';
import { AssignService } from '../../src/buckets/assign-service.js';
import { bucketElection } from '../../src/buckets/bucket-layout.js';
import { BucketOwner } from '../../src/buckets/bucket-owner.js';
import type { MoveLimits } from '../../src/owned-items/move-throttle.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { waitFor } from '../support/wait.js';
import { TestCluster, freshCluster, lead, storedTable, type BucketHarness, type TestNode } from './bucket-harness.js';

/**
 * Session timing for these tests: nothing in them waits for an expiry (every handoff is
 * graceful), and a 2 s renew deadline lapsed sessions of the 300-campaign SQLite nodes when
 * another process kept both cores busy; a lapsed session ends its owner for good here.
 */
export const STEADY_TIMING: SessionTiming = Object.freeze({ ttlMs: 10_000, renewDeadlineMs: 6_000, retryPeriodMs: 500, pollIntervalMs: 50 });

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

/** One reading: the buckets whose stored node does not hold them (`bucket:target:holder`), or null when the targets changed meanwhile. */
async function inHandoff(reader: Backend, count: number): Promise<string[] | null> {
  const stored = await storedTable(reader, count);
  const target = new Map([...stored].flatMap(([nodeId, buckets]) => buckets.map((b) => [b, nodeId] as const)));
  const ids = Array.from({ length: count }, (_, i) => String(i + 1));
  const holders = await Promise.all(ids.map(async (id) => (await reader.leader(bucketElection(id)))?.nodeId ?? null));
  const again = await storedTable(reader, count);
  if (JSON.stringify([...again]) !== JSON.stringify([...stored])) return null;
  return ids.flatMap((id, i) => (target.get(id) === holders[i] ? [] : [`${id}:${target.get(id) ?? '-'}:${holders[i] ?? '-'}`]));
}

/**
 * Counts consistent readings; while `holding` is on, a holder's `released` listener waits for
 * two readings to complete (the second one started after the listener began, while the old
 * holder still holds the election), so every batch of handoffs is seen under way by a reading
 * however slow the readings are on a loaded machine.
 */
class Readings {
  count = 0;
  holding = false;
  last: string[] = [];
  readonly #waiters = new Set<() => void>();

  read(moving: string[]): void {
    this.count++;
    this.last = moving;
    for (const wake of [...this.#waiters]) wake();
  }

  async seenBy(readings: number): Promise<void> {
    if (!this.holding) return;
    const target = this.count + readings;
    while (this.holding && this.count < target) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          resolve();
        };
        this.#waiters.add(wake);
      });
    }
  }

  release(): void {
    this.holding = false;
    for (const wake of [...this.#waiters]) wake();
  }
}

/** waitFor, and on a timeout the buckets the last reading found in handoff. */
async function waitForReadings(what: string, readings: Readings, condition: () => Promise<boolean>, timeoutMs: number, sessions: () => string): Promise<void> {
  try {
    await waitFor(what, condition, { timeoutMs, intervalMs: 1 });
  } catch (error) {
    throw new Error(`${(error as Error).message}; sessions ${sessions()}; last reading (${readings.count} so far) had ${readings.last.length} in handoff (bucket:target:holder): ${readings.last.slice(0, 20).join(' ')}`, { cause: error });
  }
}

export function describeThrottledJoin(harness: BucketHarness, join: ThrottledJoinCase): void {
  describe(`throttled moves (${harness.name}, ${join.count} buckets, ${JSON.stringify(join.limits)})`, () => {
    before(() => harness.setup());
    after(() => harness.teardown());

    it(`a join never has more than ${join.bound} buckets in handoff at once, and completes`, async () => {
      const cluster = new TestCluster(harness, freshCluster('throttle'));
      const owners: BucketOwner[] = [];
      const readings = new Readings();
      const own = async (node: TestNode) => {
        nodes.push(node);
        const owner = new BucketOwner({ backend: node.backend, session: node.session, bucketCount: join.count });
        owners.push(owner);
        owner.on('released', async () => {
          await readings.seenBy(2);
          await delay(join.releaseMs);
        });
        await owner.start();
      };
      const sessions = () => nodes.map((n) => `${n.session.nodeId}:${n.session.state}`).join(' ');
      const nodes: TestNode[] = [];
      const reading = async (): Promise<string[] | null> => {
        const moving = await inHandoff(reader, join.count);
        if (moving !== null) readings.read(moving);
        return moving;
      };
      let reader!: Backend;
      try {
        const [a, b] = [await cluster.node('a'), await cluster.node('b')];
        reader = await cluster.reader();
        await Promise.all([own(a), own(b)]);
        const leadership = await lead(a);
        const svc = new AssignService({ backend: a.backend, leadership, clock: new FakeClock(), buckets: { count: join.count, ...join.limits } });
        // The first placement, at once (tick opens the settle gate): unheld buckets, not throttled.
        const first = await svc.tick();
        assert.equal(first.deferred, 0, 'placing unheld buckets is never held back');
        const running = svc.run();
        await waitForReadings('a and b to hold every bucket', readings, async () => (await reading())?.length === 0, join.timeoutMs, sessions);

        // Readings start before c joins, so the first moves cannot slip by unseen.
        let most = 0;
        let joined = false;
        readings.holding = true;
        const done = waitForReadings('c to hold its share', readings, async () => {
          const moving = await reading();
          if (moving === null) return false;
          most = Math.max(most, moving.length);
          const share = (await storedTable(reader, join.count)).get('c')?.length ?? 0;
          return joined && moving.length === 0 && share >= Math.floor(join.count / 3);
        }, join.timeoutMs, sessions);
        const c = await cluster.node('c');
        await own(c);
        joined = true;
        await done.finally(() => readings.release());
        assert.ok(most <= join.bound, `at most ${join.bound} buckets in handoff at once, seen ${most}`);
        assert.ok(most > 0, `the join was seen under way (${readings.count} readings)`);
        assert.equal(owners[2]?.owned().length, (await storedTable(reader, join.count)).get('c')?.length);
        await leadership.resign();
        assert.equal(await running, 'term-ended');
      } finally {
        readings.release();
        await Promise.allSettled(owners.map((o) => o.close({ leave: false })));
        await cluster.close();
      }
    });
  });
}
