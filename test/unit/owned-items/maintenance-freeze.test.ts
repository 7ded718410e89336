/**
 * Maintenance mode in the leader's placement pass (memory backend, fake clocks): while the
 * freeze is on nothing moves through a node's loss (past its grace) and a join; once it is off
 * or expired the items move; the run loop wakes at once when it is turned off; the automatic
 * freeze triggers at its threshold and not below, and not again for nodes the operator let go.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING } from '../../../src/contract/index.js';
import { AssignService } from '../../../src/buckets/assign-service.js';
import { ItemPlacement } from '../../../src/owned-items/item-placement.js';
import { bucketLayout } from '../../../src/buckets/bucket-layout.js';
import { bucketTiming, validateBucketsOptions } from '../../../src/buckets/buckets-options.js';
import { clearMaintenance, MAINTENANCE_KEY, readActions, readMaintenance, setMaintenance, turnMaintenanceOff } from '../../../src/operations/index.js';
import type { AutoFreeze } from '../../../src/feature/node-config.js';
import type { Leadership } from '../../../src/contract/contract.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { waitFor, withTimeout } from '../../support/wait.js';
import { TestCluster, freshCluster, lead, storedTable, type TestNode } from '../../buckets/bucket-harness.js';

const store = new MemoryStore();
const harness = {
  name: 'memory',
  timing: DEFAULT_TIMING,
  setup: async () => undefined,
  open: async (cluster: string) => store.backend(cluster),
  writeRawKv: async (cluster: string, key: string, text: string) => store.writeRawKv(cluster, key, text),
  teardown: async () => undefined,
};
const GRACE_MS = 10_000;
const BUCKETS = { count: 60, offlineGraceMs: GRACE_MS, assignIntervalMs: 600_000 };
const T0 = Date.parse('2026-11-30T12:00:00.000Z');

const clusters: TestCluster[] = [];
after(() => Promise.allSettled(clusters.map((c) => c.close())));

async function cluster(prefix: string, ids: string[]): Promise<{ c: TestCluster; nodes: Map<string, TestNode> }> {
  const c = new TestCluster(harness, freshCluster(prefix));
  clusters.push(c);
  const nodes = new Map<string, TestNode>();
  for (const id of ids) nodes.set(id, await c.node(id));
  return { c, nodes };
}

function placement(node: TestNode, leadership: Leadership, clock: FakeClock, wall: { now: number }, autoFreeze?: AutoFreeze): ItemPlacement<unknown> {
  const buckets = validateBucketsOptions(BUCKETS);
  return new ItemPlacement({
    backend: node.backend,
    leadership,
    layout: bucketLayout(buckets.count),
    timing: bucketTiming(buckets),
    clock,
    wallClock: () => wall.now,
    nodeId: 'a',
    ...(autoFreeze ? { autoFreeze } : {}),
  });
}

const on = (until: string | null = null) => ({ reason: 'upgrade', by: 'ops', since: new Date(T0).toISOString(), until, auto: false });
const nodesOf = async (node: TestNode) => [...(await storedTable(node.backend)).keys()].sort();

describe('maintenance mode in the placement pass', () => {
  it('holds the stored layout through a node loss (past its grace) and a join; off: the items move', async () => {
    const { c, nodes } = await cluster('freeze', ['a', 'b']);
    const a = nodes.get('a')!;
    const clock = new FakeClock();
    const wall = { now: T0 };
    const leadership = await lead(a);
    const pass = placement(a, leadership, clock, wall);
    try {
      await pass.tick();
      const before = await storedTable(a.backend);
      assert.deepEqual([...before.keys()].sort(), ['a', 'b']);
      await setMaintenance(a.backend.kv, on());
      await c.node('c');
      await nodes.get('b')!.session.close();
      const frozen = await pass.tick();
      assert.equal(frozen.frozen, true);
      assert.equal(frozen.writes, 0);
      await clock.advance(GRACE_MS * 3);
      assert.equal((await pass.tick()).writes, 0, 'past b\'s grace, still nothing written');
      assert.deepEqual(await storedTable(a.backend), before, 'c got nothing, b kept its buckets');
      await clearMaintenance(a.backend.kv);
      const thawed = await pass.tick();
      assert.equal(thawed.frozen, false);
      assert.deepEqual(thawed.reclaimed, ['b'], 'b\'s grace ran during the freeze: its buckets move at once');
      assert.deepEqual(await nodesOf(a), ['a', 'c']);
    } finally {
      await leadership.resign();
    }
  });

  it('an expired freeze reads as off (judged on the leader\'s wall clock)', async () => {
    const { c, nodes } = await cluster('expiry', ['a']);
    const a = nodes.get('a')!;
    const wall = { now: T0 };
    const leadership = await lead(a);
    const pass = placement(a, leadership, new FakeClock(), wall);
    try {
      await pass.tick();
      await setMaintenance(a.backend.kv, on(new Date(T0 + 60_000).toISOString()));
      await c.node('b');
      const frozen = await pass.tick();
      assert.equal(frozen.frozen, true);
      assert.equal(frozen.againInMs, 60_000, 'the pass asks to look again when the freeze expires');
      wall.now = T0 + 60_000;
      assert.equal((await readMaintenance(a.backend.kv, { wallClock: () => wall.now })).active, false);
      assert.equal((await pass.tick()).frozen, false);
      assert.deepEqual(await nodesOf(a), ['a', 'b']);
    } finally {
      await leadership.resign();
    }
  });

  it('the running loop places at once when maintenance is turned off (it watches operations/)', async () => {
    const { c, nodes } = await cluster('wake', ['a']);
    const a = nodes.get('a')!;
    const clock = new FakeClock();
    const leadership = await lead(a);
    await setMaintenance(a.backend.kv, on());
    const svc = new AssignService({ backend: a.backend, leadership, clock, buckets: BUCKETS });
    await svc.tick();
    const running = svc.run();
    try {
      await c.node('b');
      await waitFor('the loop to park', () => clock.pendingSleeps === 1);
      assert.equal((await storedTable(a.backend)).size, 0, 'frozen from the start: nothing placed');
      await clearMaintenance(a.backend.kv);
      await waitFor('the placement once maintenance is off', async () => (await nodesOf(a)).join() === 'a,b');
    } finally {
      await leadership.resign();
    }
    assert.equal(await withTimeout('run() to end with the term', running, 5_000), 'term-ended');
  });

  it('a corrupt maintenance document reads as off', async () => {
    const { c, nodes } = await cluster('corrupt', ['a']);
    const a = nodes.get('a')!;
    const leadership = await lead(a);
    try {
      store.writeRawKv(c.name, MAINTENANCE_KEY, 'garbage');
      assert.equal((await placement(a, leadership, new FakeClock(), { now: T0 }).tick()).frozen, false);
      await a.backend.kv.put(MAINTENANCE_KEY, { reason: 'x' });
      const reading = await readMaintenance(a.backend.kv);
      assert.equal(reading.active, false);
      assert.match(reading.corrupt?.message ?? '', /by is not a string/);
    } finally {
      await leadership.resign();
    }
  });
});

describe('automatic freeze', () => {
  for (const [name, autoFreeze] of [['vanishedNodes 2', { vanishedNodes: 2, vanishedShare: 0 }], ['vanishedShare 0.4', { vanishedNodes: 0, vanishedShare: 0.4 }]] as const) {
    it(`${name}: not at one vanished node of five, at two; not again for nodes the operator let go`, async () => {
      const { c, nodes } = await cluster('auto', ['a', 'b', 'c', 'd', 'e']);
      const a = nodes.get('a')!;
      const clock = new FakeClock();
      const leadership = await lead(a);
      const pass = placement(a, leadership, clock, { now: T0 }, autoFreeze);
      try {
        await pass.tick();
        await nodes.get('d')!.session.close();
        const below = await pass.tick();
        assert.equal(below.frozen, false, 'one of five (0.2) is below the threshold');
        assert.deepEqual([...below.inGrace.keys()], ['d']);
        assert.equal(await a.backend.kv.get(MAINTENANCE_KEY), null);
        await nodes.get('e')!.session.close();
        assert.equal((await pass.tick()).frozen, true, 'two of five (0.4) reach it');
        const { maintenance } = await readMaintenance(a.backend.kv);
        assert.equal(maintenance?.auto, true);
        assert.equal(maintenance?.by, 'a');
        assert.match(maintenance?.reason ?? '', /2 of 5 nodes vanished at once \(d, e\)/);
        const actions = await readActions(a.backend.kv);
        assert.deepEqual(actions.map((x) => [x.verb, x.by]), [['maintenance-auto', 'a']]);
        await clock.advance(GRACE_MS);
        assert.equal((await pass.tick()).writes, 0, 'frozen past the grace');
        assert.deepEqual(await nodesOf(a), ['a', 'b', 'c', 'd', 'e']);
        // The operator lets them go: d and e move and do not freeze placement again.
        await clearMaintenance(a.backend.kv);
        const thawed = await pass.tick();
        assert.equal(thawed.frozen, false);
        assert.deepEqual(thawed.reclaimed, ['d', 'e']);
        assert.deepEqual(await nodesOf(a), ['a', 'b', 'c']);
        assert.equal((await readActions(a.backend.kv)).length, 1);
        void c;
      } finally {
        await leadership.resign();
      }
    });
  }

  it('a leader elected after the operator turned a freeze off does not count the nodes already gone then; it counts the ones that vanish later', async () => {
    const { nodes } = await cluster('auto-term', ['a', 'b', 'c', 'd', 'e']);
    const a = nodes.get('a')!;
    const autoFreeze = { vanishedNodes: 2, vanishedShare: 0 };
    const first = await lead(a);
    await placement(a, first, new FakeClock(), { now: T0 }, autoFreeze).tick();
    await nodes.get('d')!.session.close();
    await nodes.get('e')!.session.close();
    assert.equal((await placement(a, first, new FakeClock(), { now: T0 }, autoFreeze).tick()).frozen, true, 'd and e vanished at once');
    await first.resign();
    // The operator lets d and e go while they are still in their grace; then the leadership changes.
    await turnMaintenanceOff(a.backend.kv, { by: 'ops', live: ['a', 'b', 'c'] });
    const second = await lead(a);
    try {
      const next = placement(a, second, new FakeClock(), { now: T0 }, autoFreeze);
      const thawed = await next.tick();
      assert.equal(thawed.frozen, false, 'd and e were gone when the freeze was turned off: not counted again');
      assert.deepEqual([...thawed.inGrace.keys()].sort(), ['d', 'e']);
      await nodes.get('b')!.session.close();
      await nodes.get('c')!.session.close();
      const outage = await next.tick();
      assert.equal(outage.frozen, true, 'b and c were live then and vanished together since');
      assert.match((await readMaintenance(a.backend.kv)).maintenance?.reason ?? '', /2 of 5 nodes vanished at once \(b, c\)/);
    } finally {
      await second.resign();
    }
  });

  it('off by default: two of three nodes vanishing never freezes', async () => {
    const { nodes } = await cluster('auto-off', ['a', 'b', 'c']);
    const a = nodes.get('a')!;
    const leadership = await lead(a);
    const pass = placement(a, leadership, new FakeClock(), { now: T0 });
    try {
      await pass.tick();
      await nodes.get('b')!.session.close();
      await nodes.get('c')!.session.close();
      assert.equal((await pass.tick()).frozen, false);
      assert.equal(await a.backend.kv.get(MAINTENANCE_KEY), null);
    } finally {
      await leadership.resign();
    }
  });
});
