/**
 * node.drain() with three in-process nodes on one SQLite file: the drained leader hands the
 * cluster leadership and every bucket and partition to the others through the two-step
 * handoff (every release it makes is 'moved', none 'closed'), never two holders at once, and
 * then holds nothing; a cancelled drain takes work again; a node started with a stale request
 * of its own clears it (action log).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import { readActions, readDrainRequest, writeDrainRequest } from '../../src/operations/index.js';
import { silentLogger, testConfig } from './node-helpers.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';

const BUCKETS = 8;
const PARTITIONS = 4;
/** A TTL and a grace far beyond the waits: anything that moves within them was handed over, not expired. */
const TIMING = { ttlMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 300, pollIntervalMs: 50 };

interface Holding {
  readonly node: string;
  readonly item: string;
  readonly event: 'acquired' | 'released';
  readonly reason?: string;
}

describe('node.drain (three in-process nodes, SQLite)', () => {
  let fixture: SqlFixture;
  const nodes = new Map<string, BatonNode>();
  const events: Holding[] = [];

  async function start(nodeId: string): Promise<BatonNode> {
    const node = createNode(testConfig({
      store: fixture.url,
      cluster: 'drain',
      nodeId,
      election: TIMING,
      buckets: { enabled: true, count: BUCKETS, offlineGraceMs: 60_000 },
      partitions: { r: { partitions: PARTITIONS, replicas: 1, rebalanceDelayMs: 60_000 } },
    }), { logger: silentLogger });
    node.on('acquired', () => void events.push({ node: nodeId, item: 'leader', event: 'acquired' }));
    node.on('released', (reason) => void events.push({ node: nodeId, item: 'leader', event: 'released', reason }));
    node.buckets.on('acquired', (b) => void events.push({ node: nodeId, item: `b${b}`, event: 'acquired' }));
    node.buckets.on('released', (b, reason) => void events.push({ node: nodeId, item: `b${b}`, event: 'released', reason }));
    node.partitions('r').on('acquired', (p) => void events.push({ node: nodeId, item: `p${p}`, event: 'acquired' }));
    node.partitions('r').on('released', (p, reason) => void events.push({ node: nodeId, item: `p${p}`, event: 'released', reason }));
    nodes.set(nodeId, node);
    await node.start();
    return node;
  }
  const total = () => [...nodes.values()].reduce((n, node) => n + node.buckets.owned().length + node.partitions('r').leading().length, 0);

  before(async () => {
    fixture = await createSqliteFixture();
    for (const id of ['n1', 'n2', 'n3']) await start(id);
    await waitFor('every item held and every node holding some', () =>
      total() === BUCKETS + PARTITIONS && [...nodes.values()].every((n) => n.buckets.owned().length > 0), { timeoutMs: 30_000 });
  });
  after(async () => {
    for (const node of nodes.values()) await node.close();
    await fixture?.teardown();
  });

  it('the drained leader hands everything over (all moved, never two holders) and then holds nothing', async () => {
    const leader = await waitFor('a leader', () => [...nodes.values()].find((n) => n.isLeader()));
    const from = events.length;
    const result = await leader.drain({ by: 'test', reason: 'upgrade', timeoutMs: 30_000 });
    assert.equal(result.drained, true, JSON.stringify(result.holding));
    assert.deepEqual(leader.holding(), { ready: true, draining: true, leader: false, items: {} });
    await waitFor('another leader and every item held by the others', () =>
      [...nodes.values()].some((n) => n !== leader && n.isLeader()) && total() === BUCKETS + PARTITIONS, { timeoutMs: 30_000 });
    const mine = events.slice(from).filter((e) => e.node === leader.nodeId);
    assert.ok(mine.length > 0);
    assert.deepEqual(mine.filter((e) => e.event === 'acquired'), [], 'a draining node took something');
    assert.deepEqual([...new Set(mine.map((e) => e.reason))], ['moved']);
    assertOneHolderAtATime(events);
    const request = await readDrainRequest(leader.backend.kv, leader.nodeId);
    assert.equal(request?.by, 'test');
    assert.ok((await readActions(leader.backend.kv)).some((a) => a.verb === 'drain' && a.by === 'test' && a.detail.node === leader.nodeId));
  });

  it('a cancelled drain takes work again', async () => {
    const drained = [...nodes.values()].find((n) => n.holding().draining);
    assert.ok(drained);
    await drained.cancelDrain({ by: 'test' });
    await waitFor('the node to hold buckets again', () => drained.buckets.owned().length > 0, { timeoutMs: 30_000 });
    assert.equal(drained.holding().draining, false);
    assertOneHolderAtATime(events);
  });

  it('a node that starts with a stale drain request of its own clears it and logs that', async () => {
    const n3 = nodes.get('n3');
    assert.ok(n3);
    await n3.close();
    nodes.delete('n3');
    await writeDrainRequest(nodes.get('n1')!.backend.kv, 'n3', { by: 'test' });
    const again = await start('n3');
    assert.equal(await readDrainRequest(again.backend.kv, 'n3'), null);
    assert.equal(again.holding().draining, false);
    assert.ok((await readActions(again.backend.kv)).some((a) => a.verb === 'drain-clear' && a.by === 'n3'));
    await waitFor('n3 to hold buckets again', () => again.buckets.owned().length > 0, { timeoutMs: 30_000 });
  });
});

/** Every item's events alternate acquired/released, one holder at a time. */
function assertOneHolderAtATime(events: readonly Holding[]): void {
  const holder = new Map<string, string>();
  for (const e of events) {
    if (e.event === 'acquired') {
      assert.equal(holder.get(e.item), undefined, `${e.node} acquired ${e.item} while ${holder.get(e.item)} held it`);
      holder.set(e.item, e.node);
    } else {
      assert.equal(holder.get(e.item), e.node, `${e.node} released ${e.item} it did not hold`);
      holder.delete(e.item);
    }
  }
}
