/**
 * `baton buckets plan` and `baton resource plan` against real in-process nodes on one store:
 * the plan printed before a node joins or leaves is exactly the layout the leader stores once
 * the change has happened, and the plan itself writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import { bucketLayout } from '../../src/buckets/bucket-layout.js';
import type { Assignment } from '../../src/assignment/index.js';
import type { Backend } from '../../src/contract/contract.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import type { OwnedItemsLayout } from '../../src/owned-items/layout.js';
import { partitionLayout } from '../../src/partitions/partition-layout.js';
import { DEFAULT_RESOURCE_OPTIONS } from '../../src/partitions/resource-options.js';
import { silentLogger, testConfig } from '../node/node-helpers.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { cliInProcess } from './cli-capture.js';

const R = 'res';
const BUCKETS = 12;
const PARTITIONS = 6;
const CLUSTER = 'plantest';
/**
 * Session timing (ms): a TTL long enough that a loaded machine's event-loop stalls never expire
 * a live node's session mid-test (its items would then move twice, through a layout no plan
 * named). Nothing here waits for a TTL: nodes leave by a graceful close, which releases at once.
 */
const STEADY_TIMING = { ttlMs: 10_000, renewDeadlineMs: 7_000, retryPeriodMs: 500, pollIntervalMs: 50 };

interface PlanJson {
  moves: { item: string; from: string[]; to: string[] }[];
  assignment: Record<string, string[]>;
  spread: { nodes: { nodeId: string; slots: number; fairShare: number | null }[]; minSlots: number; maxSlots: number };
  notes: string[];
  firstStep: { item: string }[];
  steps: number | null;
}

function nodeConfig(url: string, nodeId: string) {
  return testConfig({
    store: url,
    cluster: CLUSTER,
    nodeId,
    election: STEADY_TIMING,
    buckets: { enabled: true, count: BUCKETS },
    // A delay of 0: a node that stops gives its places up at the next pass (the plan shows the layout after the delay).
    partitions: { [R]: { partitions: PARTITIONS, replicas: 2, rebalanceDelayMs: 0 } },
  });
}

export function describePlan(name: string, createFixture: () => Promise<SqlFixture>): void {
  describe(`baton buckets plan and resource plan (${name})`, () => {
    let fixture: SqlFixture;
    let reader: Backend;
    const nodes = new Map<string, BatonNode>();
    let store: string[] = [];
    const buckets = bucketLayout(BUCKETS);
    const partitions = partitionLayout({ ...DEFAULT_RESOURCE_OPTIONS, name: R, partitions: PARTITIONS, replicas: 2 });

    /** The stored placement as the leader reads it. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only the leader's side of the layout is used
    async function stored(layout: OwnedItemsLayout<any, any, any>): Promise<Assignment> {
      const signal = new AbortController().signal;
      return layout.storedPlacement(await layout.readStored(reader.kv, () => undefined, signal)).assignment;
    }
    const nodesOf = (assignment: Assignment) => new Set(Object.values(assignment).flat());
    /** Settled: both layouts name exactly `ids` (the leader's pass over the new membership has been written). */
    const settledOn = (ids: string[]) =>
      waitFor(`both layouts to name exactly ${ids.join(', ')}`, async () => {
        const [b, p] = await Promise.all([stored(buckets), stored(partitions)]);
        const same = (s: Set<string>) => s.size === ids.length && ids.every((id) => s.has(id));
        return same(nodesOf(b)) && same(nodesOf(p)) && Object.keys(b).length === BUCKETS && Object.keys(p).length === PARTITIONS;
      }, { timeoutMs: 20_000, intervalMs: 50 });
    async function plan(args: string[]): Promise<{ buckets: PlanJson; partitions: PlanJson }> {
      const b = await cliInProcess(['buckets', 'plan', ...args, '--json', ...store]);
      const p = await cliInProcess(['resource', 'plan', R, ...args, '--json', ...store]);
      assert.equal(b.code, 0, b.err);
      assert.equal(p.code, 0, p.err);
      return { buckets: JSON.parse(b.out) as PlanJson, partitions: JSON.parse(p.out) as PlanJson };
    }
    async function start(nodeId: string): Promise<void> {
      nodes.set(nodeId, await startNode(nodeConfig(fixture.url, nodeId), { logger: silentLogger }));
    }

    before(async () => {
      fixture = await createFixture();
      store = ['--store', fixture.url, '--cluster', CLUSTER];
      await start('n1');
      await start('n2');
      reader = await openStore(fixture.url, { cluster: CLUSTER, readOnly: true });
      await settledOn(['n1', 'n2']);
    });
    after(async () => {
      for (const node of nodes.values()) await node.close();
      await reader?.close();
      await fixture?.teardown();
    });

    it('plan --add n3 prints the moves; once n3 joins, the leader stores exactly the planned layout', async () => {
      const before = { buckets: await stored(buckets), partitions: await stored(partitions) };
      const planned = await plan(['--add', 'n3']);
      assert.ok(planned.buckets.moves.length > 0 && planned.buckets.moves.every((m) => m.to[0] === 'n3'), 'every bucket move goes to n3');
      assert.ok(planned.partitions.moves.length > 0 && planned.partitions.moves.every((m) => m.to.includes('n3')), 'every partition change gives n3 a place');
      assert.equal(planned.buckets.spread.maxSlots - planned.buckets.spread.minSlots <= 1, true);
      assert.deepEqual(planned.buckets.spread.nodes.map((n) => n.slots), [4, 4, 4]);
      assert.deepEqual(planned.partitions.spread.nodes.map((n) => n.slots), [4, 4, 4]);
      assert.deepEqual({ buckets: await stored(buckets), partitions: await stored(partitions) }, before, 'the plan wrote nothing');
      assert.deepEqual([planned.buckets.steps, planned.buckets.firstStep.length], [1, planned.buckets.moves.length], 'without move caps, one step');
      const paced = await cliInProcess(['buckets', 'plan', '--add', 'n3', '--buckets-max-moves-per-node', '1', '--json', ...store]);
      const pacedPlan = JSON.parse(paced.out) as PlanJson;
      assert.deepEqual([pacedPlan.steps, pacedPlan.firstStep.length], [planned.buckets.moves.length, 1], 'a cap of 1 per node: one move per step');
      assert.deepEqual(pacedPlan.assignment, planned.buckets.assignment, 'the same layout in the end');
      await start('n3');
      await settledOn(['n1', 'n2', 'n3']);
      assert.deepEqual(await stored(buckets), planned.buckets.assignment);
      assert.deepEqual(await stored(partitions), planned.partitions.assignment);
      const again = await plan([]);
      assert.deepEqual([again.buckets.moves, again.partitions.moves], [[], []], 'with nothing changed, nothing moves');
    });

    it('plan --remove n2 prints the moves; once n2 stops, the leader stores exactly the planned layout', async () => {
      const before = await stored(buckets);
      const planned = await plan(['--remove', 'n2']);
      assert.ok(planned.buckets.moves.length > 0 && planned.buckets.moves.every((m) => m.from[0] === 'n2'), 'only n2\'s buckets move');
      assert.ok(planned.partitions.moves.every((m) => m.from.includes('n2') && !m.to.includes('n2')));
      assert.ok(!nodesOf(planned.partitions.assignment).has('n2'));
      await nodes.get('n2')?.close();
      nodes.delete('n2');
      await settledOn(['n1', 'n3']);
      assert.deepEqual(await stored(buckets), planned.buckets.assignment, `stored before: ${JSON.stringify(before)}`);
      assert.deepEqual(await stored(partitions), planned.partitions.assignment);
    });

    it('--remove of a node that is not live is a clear error; a malformed flag is a usage error', async () => {
      const unknown = await cliInProcess(['buckets', 'plan', '--remove', 'n9', ...store]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /no live node "n9" in cluster "plantest"; live nodes: n1, n3/);
      const resource = await cliInProcess(['resource', 'plan', R, '--remove', 'n9', '--json', ...store]);
      assert.equal((JSON.parse(resource.err) as { error: { code: string } }).error.code, 'NOT_FOUND');
      assert.equal((await cliInProcess(['buckets', 'plan', '--weight', 'n1=heavy', ...store])).code, 2);
      assert.equal((await cliInProcess(['buckets', 'plan', '--add', 'n1', ...store])).code, 2, 'adding a live node');
      assert.equal((await cliInProcess(['buckets', '--add', 'n4', ...store])).code, 2, 'plan flags outside plan');
    });

    it('--weight and zones reach the engine: a node of weight 2 gets twice the share; the human output names moves and spread', async () => {
      const planned = await plan(['--weight', 'n1=2', '--add', 'n4@zone-b']);
      const n1 = planned.buckets.spread.nodes.find((n) => n.nodeId === 'n1');
      assert.equal(n1?.fairShare, 6);
      assert.equal(n1?.slots, 6);
      const human = await cliInProcess(['buckets', 'plan', '--add', 'n4', ...store]);
      assert.match(human.out, /bucket moves\nFROM +TO +COUNT +BUCKETS\n/);
      assert.match(human.out, /per live node: min 4, max 4 items/);
      assert.match(human.out, /note: nothing was changed/);
      const help = await cliInProcess(['buckets', '--help']);
      assert.match(help.out, /--add <node\[=weight\]\[@zone\]>/);
    });
  });
}
