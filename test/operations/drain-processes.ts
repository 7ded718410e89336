/**
 * Drain with real `baton start` processes on one store (issue 19): three nodes place buckets and
 * a partitioned resource with one replica (a partition whose master stops is leaderless until
 * the rebalance delay ends, unless it was handed over first).
 * 1. The leader is drained (`POST /drain` with the bearer token, then `baton drain --wait`):
 *    the nodes' own debug lines show it hand over the leadership and every item, each release
 *    'moved' (none 'closed'), it acquires nothing meanwhile, never two holders of anything;
 *    `GET /ready-to-stop` turns 200; SIGTERM then stops it with nothing left to release.
 * 2. A rolling restart of the three nodes with SIGTERM: each drains before it closes (every
 *    release of a stopping node 'moved'), never two holders; each node started again clears its
 *    stale request and takes work again.
 * The TTL and the grace are 60 s, far beyond the waits: what moved within them was handed over.
 * Gaps between holders are printed as diagnostics (bench rolling-restart measures them); never
 * asserted as times.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { runCli, type CliProcess } from '../cli/cli-process.js';
import { BatonProcesses, type NodeProcess } from '../support/baton-processes.js';
import type { StoreUnderTest } from '../support/stores-under-test.js';
import { holderEvents, holderGaps, overlaps, type HolderEvent } from './holder-events.js';
import { waitFor } from '../support/wait.js';

const R = 'res';
const BUCKETS = 8;
const PARTITIONS = 4;
const ITEMS = BUCKETS + PARTITIONS + 1; // and the cluster leadership
const TOKEN = 'drain-token';
const LONG = ['--election-ttl-ms', '60000', '--election-renew-deadline-ms', '40000', '--election-retry-period-ms', '500', '--election-poll-interval-ms', '100'];

export function describeDrainProcesses(store: StoreUnderTest): void {
  describe(`drain with node processes (${store.name})`, () => {
    const processes = new BatonProcesses(store);
    let config = '';
    const procs: CliProcess[] = [];
    before(async () => {
      await processes.setUp();
      config = processes.configFile('baton.yaml', { partitions: { [R]: { partitions: PARTITIONS, replicas: 1, rebalanceDelayMs: 60_000 } } });
    });
    after(() => processes.tearDown());

    async function start(cluster: string, nodeId: string): Promise<NodeProcess> {
      const node = await processes.start(cluster, nodeId, ['--config', config, '--log-level', 'debug',
        '--auth-token', TOKEN, '--drain-on-stop-ms', '60000', '--buckets-enabled', '--buckets-count', String(BUCKETS), '--buckets-offline-grace-ms', '60000', ...LONG]);
      procs.push(node.proc);
      return node;
    }
    const events = (): HolderEvent[] => holderEvents(procs.map((p) => p.logs()));
    /** Every item and the leadership held, by the nodes given only, each holding something. */
    const heldBy = (ids: readonly string[]) => {
      const holders = currentHolders(events());
      const used = new Set(holders.values());
      return holders.size === ITEMS && [...used].every((n) => ids.includes(n)) && ids.every((n) => used.has(n));
    };
    /** The gaps of the handoffs since `from` (an index into events()), as a diagnostic. */
    const report = (t: TestContext, from: number) => {
      const since = events()[from]?.time ?? Infinity;
      const gaps = holderGaps(events()).filter((g) => g.at >= since);
      const ms = gaps.map((g) => g.gapMs);
      t.diagnostic(`handoffs ${gaps.length}, gap max ${Math.max(0, ...ms)} ms, sum ${ms.reduce((a, b) => a + b, 0)} ms`);
    };

    it('the drained leader hands everything over, never two holders; ready-to-stop 200; SIGTERM stops it', async (t) => {
      const cluster = 'drain-leader';
      const nodes = [await start(cluster, 'n1'), await start(cluster, 'n2'), await start(cluster, 'n3')];
      await waitFor('every item held, by all three', () => heldBy(['n1', 'n2', 'n3']), { timeoutMs: 60_000, intervalMs: 200 });
      const leaderId = currentHolders(events()).get('leader');
      const leader = nodes.find((n) => n.nodeId === leaderId)!;
      const from = events().length;

      const refused = await fetch(`${leader.url}/drain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(refused.status, 401, 'POST /drain needs the bearer token');
      const asked = await fetch(`${leader.url}/drain`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ by: 'tester', reason: 'upgrade' }) });
      assert.ok([200, 202].includes(asked.status), String(asked.status));
      const waited = await runCli(['drain', leader.nodeId, '--wait', '--timeout', '60s', '--by', 'tester', '--json', '--store', processes.url, '--cluster', cluster], {}, 90_000);
      assert.equal(waited.code, 0, waited.stderr);
      assert.equal((JSON.parse(waited.stdout) as { drained: boolean }).drained, true);
      const ready = await fetch(`${leader.url}/ready-to-stop`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { ready: true, draining: true, leader: false, items: {} });
      await waitFor('every item and the leadership held by the two others', () => heldBy(nodes.filter((n) => n !== leader).map((n) => n.nodeId)), { timeoutMs: 60_000, intervalMs: 200 });

      const mine = events().slice(from).filter((e) => e.nodeId === leader.nodeId);
      assert.deepEqual(mine.filter((e) => e.kind === 'acquired'), [], 'the draining node took something');
      assert.equal(mine.filter((e) => e.kind === 'released').length > 1, true);
      assert.deepEqual([...new Set(mine.map((e) => e.reason))], ['moved'], 'every release of the drained node a handover');
      leader.proc.signal('SIGTERM');
      assert.equal((await leader.proc.exited).code, 0);
      assert.ok(leader.proc.logs().some((l) => l.reason === 'drained'), 'SIGTERM found it drained');
      assert.deepEqual(events().slice(from).filter((e) => e.nodeId === leader.nodeId && e.reason !== 'moved'), [], 'nothing left to release at the close');
      assert.deepEqual(overlaps(events()), [], 'two holders at once');
      report(t, from);
      await processes.stop(nodes);
    });

    it('a rolling restart with SIGTERM: each node drains before it closes, never two holders', async (t) => {
      const cluster = 'drain-rolling';
      const ids = ['n1', 'n2', 'n3'];
      const nodes = new Map<string, NodeProcess>();
      for (const id of ids) nodes.set(id, await start(cluster, id));
      await waitFor('every item held, by all three', () => heldBy(ids), { timeoutMs: 60_000, intervalMs: 200 });
      const from = events().length;
      for (const id of ids) {
        const old = nodes.get(id)!;
        const before = events().length;
        old.proc.signal('SIGTERM');
        assert.equal((await old.proc.exited).code, 0);
        assert.ok(old.proc.logs().some((l) => l.reason === 'drained'), `${id} drained before it closed`);
        const released = events().slice(before).filter((e) => e.nodeId === id && e.kind === 'released');
        assert.deepEqual([...new Set(released.map((e) => e.reason))].filter((r) => r !== 'moved'), [], `${id} released something at its close`);
        const again = await start(cluster, id);
        nodes.set(id, again);
        assert.ok(again.proc.logs().some((l) => l.reason === 'stale drain request'), `${id} cleared its stale request`);
        await waitFor(`every item held, ${id} back among the holders`, () => heldBy(ids), { timeoutMs: 60_000, intervalMs: 200 });
      }
      assert.deepEqual(overlaps(events()), [], 'two holders at once');
      report(t, from);
      await processes.stop([...nodes.values()]);
    });
  });
}

/** Who holds each item now, by the events in order. */
function currentHolders(events: readonly HolderEvent[]): Map<string, string> {
  const holders = new Map<string, string>();
  for (const e of events) {
    if (e.kind === 'acquired') holders.set(e.item, e.nodeId);
    else if (holders.get(e.item) === e.nodeId) holders.delete(e.item);
  }
  return holders;
}
