/**
 * Maintenance mode with real `baton start` processes on one store (issue 19: "maintenance mode
 * holds placement through node loss"): three nodes place buckets and a partitioned resource;
 * `baton maintenance on`; the leader is killed with SIGKILL and a fourth node starts. The next
 * leader's passes see the killed node vanished (past its grace) and the new node live, and the
 * stored layout stays exactly as it was. `baton maintenance off`: the killed node's items move
 * and the new node gets its share, at once. And the automatic freeze: two of four nodes killed
 * together turn maintenance on by the leader itself, with nothing moved.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import { CLUSTER_LEADER_ELECTION } from '../../src/election/index.js';
import { bucketLayout } from '../../src/buckets/bucket-layout.js';
import type { Assignment } from '../../src/assignment/index.js';
import type { Backend } from '../../src/contract/contract.js';
import type { OwnedItemsLayout } from '../../src/owned-items/layout.js';
import { partitionLayout } from '../../src/partitions/partition-layout.js';
import { DEFAULT_RESOURCE_OPTIONS } from '../../src/partitions/resource-options.js';
import { runCli } from '../cli/cli-process.js';
import { BatonProcesses, type NodeProcess } from '../support/baton-processes.js';
import type { StoreUnderTest } from '../support/stores-under-test.js';
import { waitFor } from '../support/wait.js';

const CLUSTER = 'maint';
const R = 'res';
const BUCKETS = 12;
const PARTITIONS = 6;
/**
 * Session timing (ms): a TTL that a loaded machine's stalls do not run out (a spurious expiry
 * would only add a vanished node, which the freeze holds too), short enough that the killed
 * leader's lease ends soon. The grace (1 s) is over long before the next leader's first pass
 * (the TTL, then the settle window), so every pass that sees the killed node would move its
 * items if nothing froze them.
 */
const TIMING = ['--election-ttl-ms', '6000', '--election-renew-deadline-ms', '4000', '--election-retry-period-ms', '500', '--election-poll-interval-ms', '100'];
const GRACE_MS = 1_000;
/**
 * The automatic freeze counts nodes that vanished within their grace: 30 s keeps two nodes
 * killed together inside it however far apart a loaded machine notices their expiries.
 */
const LONG_GRACE_MS = 30_000;
const WHATS = ['bucket assignment', 'partition placement'] as const;

export function describeMaintenance(storeUnderTest: StoreUnderTest): void {
  describe(`maintenance mode with node processes (${storeUnderTest.name})`, () => {
    const processes = new BatonProcesses(storeUnderTest);
    let reader: Backend;
    const configs = { short: '', long: '' };
    let store: string[];
    const layouts: Record<string, OwnedItemsLayout<string | number, unknown, unknown>> = {
      buckets: bucketLayout(BUCKETS) as unknown as OwnedItemsLayout<string | number, unknown, unknown>,
      partitions: partitionLayout({ ...DEFAULT_RESOURCE_OPTIONS, name: R, partitions: PARTITIONS, replicas: 2 }) as unknown as OwnedItemsLayout<string | number, unknown, unknown>,
    };
    before(async () => {
      await processes.setUp();
      // Partitioned resources are set in the file only (YAML; JSON is YAML).
      configs.short = processes.configFile('baton.yaml', { partitions: { [R]: { partitions: PARTITIONS, replicas: 2, rebalanceDelayMs: GRACE_MS } } });
      configs.long = processes.configFile('long-grace.yaml', { partitions: { [R]: { partitions: PARTITIONS, replicas: 2, rebalanceDelayMs: LONG_GRACE_MS } } });
      store = ['--store', processes.url, '--cluster', CLUSTER];
    });
    after(async () => {
      await reader?.close();
      await processes.tearDown();
    });

    /** The arguments of a node with the short grace (default) or the long one. */
    function nodeArgs(options: { grace?: 'short' | 'long'; extra?: readonly string[] } = {}): string[] {
      const { grace = 'short', extra = [] } = options;
      const graceMs = grace === 'short' ? GRACE_MS : LONG_GRACE_MS;
      return ['--config', configs[grace], '--log-level', 'debug', ...TIMING, '--buckets-enabled', '--buckets-count', String(BUCKETS), '--buckets-offline-grace-ms', String(graceMs), ...extra];
    }

    async function stored(backend: Backend = reader): Promise<Record<string, Assignment>> {
      const entries = await Promise.all(Object.entries(layouts).map(async ([kind, layout]) => {
        const state = await layout.readStored(backend.kv, () => undefined, AbortSignal.timeout(10_000));
        return [kind, layout.storedPlacement(state).assignment] as const;
      }));
      return Object.fromEntries(entries);
    }

    /** Every item of both layouts stored for exactly `nodes` (each one holding some). */
    async function placedOver(nodes: readonly string[], backend: Backend = reader): Promise<Record<string, Assignment> | null> {
      const now = await stored(backend);
      for (const [kind, assignment] of Object.entries(now)) {
        const count = kind === 'buckets' ? BUCKETS : PARTITIONS;
        const lists = Object.values(assignment);
        if (lists.length !== count || lists.some((l) => l.length === 0)) return null;
        const used = new Set(lists.flat());
        if (used.size !== nodes.length || !nodes.every((n) => used.has(n))) return null;
      }
      return now;
    }

    /** A debug line of `node` saying a pass of `what` was frozen, seeing `live` and `vanished`. */
    function frozenPassSeen(node: NodeProcess, what: string, live: readonly string[], vanished: readonly string[]): boolean {
      return node.proc.logs().some((l) => {
        if (l.msg !== `${what} pass frozen: nothing written`) return false;
        const [seenLive, seenVanished] = [l.live as string[], l.vanished as string[]];
        return live.every((n) => seenLive.includes(n)) && vanished.every((n) => seenVanished.includes(n));
      });
    }

    it('holds the stored layout through the leader\'s SIGKILL and a join; off: the items move at once', async () => {
      const nodes = await processes.startAll(CLUSTER, ['n1', 'n2', 'n3'], nodeArgs());
      reader = await openStore(processes.url, { cluster: CLUSTER, readOnly: true });
      await waitFor('buckets and partitions placed over n1-n3', () => placedOver(['n1', 'n2', 'n3']), { timeoutMs: 60_000, intervalMs: 200 });

      const on = await runCli(['maintenance', 'on', '--reason', 'rolling restart test', '--by', 'tester', ...store]);
      assert.equal(on.code, 0, on.stderr);
      const leader = await waitFor('a leader', async () => {
        const { code, stdout } = await runCli(['leader', '--json', ...store]);
        return code === 0 ? (JSON.parse(stdout) as { nodeId: string } | null)?.nodeId : undefined;
      }, { timeoutMs: 30_000 });
      const old = nodes.find((n) => n.nodeId === leader)!;
      // The leader has seen the freeze in a pass of each kind: from here on it writes nothing.
      await waitFor('the leader to freeze both placements', () => WHATS.every((what) => frozenPassSeen(old, what, [], [])), { timeoutMs: 30_000 });
      const before = await stored();

      const n4 = await processes.start(CLUSTER, 'n4', nodeArgs());
      old.proc.signal('SIGKILL');
      const rest = [...nodes.filter((n) => n !== old), n4];
      // A later leader's pass saw the killed node vanished (its grace long over) and n4 live,
      // and wrote nothing: without the freeze that pass would have moved items.
      await waitFor('the next leader to hold both placements with the killed node gone and n4 live', () =>
        WHATS.every((what) => rest.some((n) => frozenPassSeen(n, what, ['n4'], [old.nodeId]))), { timeoutMs: 60_000, intervalMs: 200 });
      assert.deepEqual(await stored(), before, 'the stored layout is unchanged: nothing moved to n4, nothing away from the killed node');

      const off = await runCli(['maintenance', 'off', '--by', 'tester', ...store]);
      assert.equal(off.code, 0, off.stderr);
      const survivors = rest.map((n) => n.nodeId).sort();
      await waitFor('the killed node\'s items to move and n4 to get its share', () => placedOver(survivors), { timeoutMs: 60_000, intervalMs: 200 });

      const log = await runCli(['maintenance', 'status', '--json', ...store]);
      assert.equal((JSON.parse(log.stdout) as { active: boolean }).active, false);
      await processes.stop(rest);
    });

    it('freezes by itself when two of four nodes vanish at once (placement.autoFreeze.vanishedNodes 2)', async () => {
      const cluster = `${CLUSTER}-auto`;
      const auto = ['--placement-auto-freeze-vanished-nodes', '2'];
      const nodes = await processes.startAll(cluster, ['a1', 'a2', 'a3', 'a4'], nodeArgs({ grace: 'long', extra: auto }));
      const autoReader = await openStore(processes.url, { cluster, readOnly: true });
      try {
        await waitFor('buckets and partitions placed over a1-a4', () => placedOver(['a1', 'a2', 'a3', 'a4'], autoReader), { timeoutMs: 60_000, intervalMs: 200 });
        const leaderId = await waitFor('a leader', async () => (await autoReader.leader(CLUSTER_LEADER_ELECTION))?.nodeId, { timeoutMs: 30_000 });
        const before = await stored(autoReader);
        const [x, y] = nodes.filter((n) => n.nodeId !== leaderId);
        x!.proc.signal('SIGKILL');
        y!.proc.signal('SIGKILL');
        const status = await waitFor('the leader to turn maintenance on', async () => {
          const { code, stdout } = await runCli(['maintenance', 'status', '--json', '--store', processes.url, '--cluster', cluster]);
          const view = code === 0 ? (JSON.parse(stdout) as { active: boolean; stored: { by: string; auto: boolean; reason: string } | null }) : null;
          return view?.active ? view.stored : null;
        }, { timeoutMs: 60_000, intervalMs: 300 });
        assert.equal(status?.auto, true);
        assert.equal(status?.by, leaderId);
        assert.match(status?.reason ?? '', new RegExp(`2 of 4 nodes vanished at once \\((${x!.nodeId}, ${y!.nodeId}|${y!.nodeId}, ${x!.nodeId})\\)`));
        assert.deepEqual(await stored(autoReader), before, 'nothing moved before or with the freeze');
        const { stdout } = await runCli(['maintenance', 'status', '--store', processes.url, '--cluster', cluster]);
        assert.match(stdout, /\(automatic\)/);
        const ops = await fetchOperations(nodes.find((n) => n.nodeId === leaderId)!);
        assert.deepEqual(ops.actions.filter((a) => a.verb === 'maintenance-auto').map((a) => a.by), [leaderId], 'one automatic freeze, logged once by the leader');
      } finally {
        await autoReader.close();
      }
      await processes.stop(nodes);
    });
  });
}

/** GET /operations of `node`. */
async function fetchOperations(node: NodeProcess): Promise<{ actions: { verb: string; by: string }[] }> {
  const reply = await fetch(`${node.url}/operations`);
  return (await reply.json()) as { actions: { verb: string; by: string }[] };
}
