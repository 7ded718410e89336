/**
 * Issue 14, "cold start churns": three nodes started one right after the other on an empty store
 * (the first already leads when the others come up, as when a deployment starts them). The leader
 * places buckets and partitions only once the membership it sees has settled (SettleGate), so
 * the first node no longer takes everything and gives most of it back: every bucket and every
 * partition is acquired once, by the node that keeps it, and none is released on the way.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/index.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { silentLogger, testConfig } from '../node/node-helpers.js';

const BUCKETS = 64;
const PARTITIONS = 24;
const RESOURCE = 'leadControllerResource';
const NODES = ['a', 'b', 'c'];
/**
 * Session timing (ms) with room for a loaded machine: a renewal that fails suspends the session,
 * and a suspended node drops its partitions at once (by design), which would count as churn
 * that has nothing to do with the cold start. Renewals every second, 4 s to succeed.
 */
const TIMING = { ttlMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 1_000, pollIntervalMs: 100 };

interface Counts {
  bucketsAcquired: number;
  bucketsReleased: number;
  partitionsAcquired: number;
  partitionsReleased: number;
}

export function coldStartSuite(name: string, open: () => Promise<SqlFixture>): void {
  describe(`cold start of three nodes (${name})`, () => {
    const nodes: BatonNode[] = [];
    let fixture: SqlFixture | undefined;
    after(async () => {
      await Promise.allSettled(nodes.map((n) => n.close()));
      await fixture?.teardown();
    });

    it('places only once the membership settled: each bucket and partition acquired once, none released', async () => {
      fixture = await open();
      const cluster = `cold-${process.pid}`;
      const counts = new Map<string, Counts>();
      for (const nodeId of NODES) {
        const config = testConfig({
          store: fixture.url,
          cluster,
          nodeId,
          election: TIMING,
          buckets: { enabled: true, count: BUCKETS },
          partitions: { [RESOURCE]: { partitions: PARTITIONS, replicas: 2 } },
        });
        const node = createNode(config, { logger: silentLogger });
        const c: Counts = { bucketsAcquired: 0, bucketsReleased: 0, partitionsAcquired: 0, partitionsReleased: 0 };
        node.buckets.on('acquired', () => void c.bucketsAcquired++);
        node.buckets.on('released', () => void c.bucketsReleased++);
        node.partitions(RESOURCE).on('acquired', () => void c.partitionsAcquired++);
        node.partitions(RESOURCE).on('released', () => void c.partitionsReleased++);
        counts.set(nodeId, c);
        nodes.push(node);
      }
      // The first node leads before the others start (without the settle gate it took everything
      // here and gave most of it back as the others joined); the others start right after it.
      const [first, ...others] = nodes as [BatonNode, ...BatonNode[]];
      await first.start();
      await waitFor('the first node to lead the cluster', () => first.isLeader(), { timeoutMs: 10_000 });
      await Promise.all(others.map((n) => n.start()));
      const spread = () => nodes.map((n) => `${n.config.nodeId}: ${n.buckets.owned().length} buckets, ${n.partitions(RESOURCE).leading().length} partitions`).join('; ');
      await waitFor(`every bucket and partition held, spread evenly (${spread()})`, () => {
        const buckets = nodes.map((n) => n.buckets.owned().length);
        const led = nodes.map((n) => n.partitions(RESOURCE).leading().length);
        return buckets.reduce((a, b) => a + b, 0) === BUCKETS && Math.max(...buckets) - Math.min(...buckets) <= 1
          && led.reduce((a, b) => a + b, 0) === PARTITIONS && Math.max(...led) - Math.min(...led) <= 1;
      }, { timeoutMs: 30_000 });
      const total = (field: keyof Counts) => [...counts.values()].reduce((sum, c) => sum + c[field], 0);
      const report = JSON.stringify(Object.fromEntries(counts));
      assert.equal(total('bucketsReleased'), 0, `no bucket given back on the way: ${report}`);
      assert.equal(total('bucketsAcquired'), BUCKETS, `each bucket acquired once: ${report}`);
      assert.equal(total('partitionsReleased'), 0, `no partition given back on the way: ${report}`);
      assert.equal(total('partitionsAcquired'), PARTITIONS, `each partition acquired once: ${report}`);
    });
  });
}
