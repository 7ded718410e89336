/**
 * Maintenance mode with real `baton start` processes on one store (issue 19: "maintenance mode
 * holds placement through node loss"): three nodes place buckets and a partitioned resource;
 * `baton maintenance on`; the leader is killed with SIGKILL and a fourth node starts. The next
 * leader's passes see the killed node vanished (past its grace) and the new node live, and the
 * stored layout stays exactly as it was. `baton maintenance off`: the killed node's items move
 * and the new node gets its share, at once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import { bucketLayout } from '../../src/buckets/bucket-layout.js';
import type { Assignment } from '../../src/assignment/index.js';
import type { Backend } from '../../src/contract/contract.js';
import type { OwnedItemsLayout } from '../../src/owned-items/layout.js';
import { partitionLayout } from '../../src/partitions/partition-layout.js';
import { DEFAULT_RESOURCE_OPTIONS } from '../../src/partitions/resource-options.js';
import { CliProcess, runCli, stopAllProcesses } from '../cli/cli-process.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
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
const WHATS = ['bucket assignment', 'partition placement'] as const;

interface Node {
  readonly nodeId: string;
  readonly proc: CliProcess;
}

export function describeMaintenance(name: string, createFixture: () => Promise<SqlFixture>): void {
  describe(`maintenance mode with node processes (${name})`, () => {
    let fixture: SqlFixture;
    let reader: Backend;
    let dir: string;
    let store: string[];
    const layouts: Record<string, OwnedItemsLayout<string | number, unknown, unknown>> = {
      buckets: bucketLayout(BUCKETS) as unknown as OwnedItemsLayout<string | number, unknown, unknown>,
      partitions: partitionLayout({ ...DEFAULT_RESOURCE_OPTIONS, name: R, partitions: PARTITIONS, replicas: 2 }) as unknown as OwnedItemsLayout<string | number, unknown, unknown>,
    };
    before(async () => {
      fixture = await createFixture();
      dir = mkdtempSync(join(tmpdir(), 'baton-maint-'));
      // Partitioned resources are set in the file only (YAML; JSON is YAML).
      writeFileSync(join(dir, 'baton.yaml'), JSON.stringify({ partitions: { [R]: { partitions: PARTITIONS, replicas: 2, rebalanceDelayMs: GRACE_MS } } }));
      store = ['--store', fixture.url, '--cluster', CLUSTER];
    });
    after(async () => {
      await stopAllProcesses();
      await reader?.close();
      await fixture?.teardown();
      rmSync(dir, { recursive: true, force: true });
    });

    function start(nodeId: string): Node {
      const args = ['start', ...store, '--config', join(dir, 'baton.yaml'), '--node-id', nodeId, '--http-port', '0', '--log-level', 'debug', ...TIMING];
      return { nodeId, proc: new CliProcess([...args, '--buckets-enabled', '--buckets-count', String(BUCKETS), '--buckets-offline-grace-ms', String(GRACE_MS)]) };
    }

    async function stored(): Promise<Record<string, Assignment>> {
      const entries = await Promise.all(Object.entries(layouts).map(async ([kind, layout]) => {
        const state = await layout.readStored(reader.kv, () => undefined, AbortSignal.timeout(10_000));
        return [kind, layout.storedPlacement(state).assignment] as const;
      }));
      return Object.fromEntries(entries);
    }

    /** Every item of both layouts stored for exactly `nodes` (each one holding some). */
    async function placedOver(nodes: readonly string[]): Promise<Record<string, Assignment> | null> {
      const now = await stored();
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
    function frozenPassSeen(node: Node, what: string, live: readonly string[], vanished: readonly string[]): boolean {
      return node.proc.logs().some((l) => {
        if (l.msg !== `${what} pass frozen: nothing written`) return false;
        const [seenLive, seenVanished] = [l.live as string[], l.vanished as string[]];
        return live.every((n) => seenLive.includes(n)) && vanished.every((n) => seenVanished.includes(n));
      });
    }

    it('holds the stored layout through the leader\'s SIGKILL and a join; off: the items move at once', async () => {
      const nodes = ['n1', 'n2', 'n3'].map(start);
      for (const n of nodes) await n.proc.waitForLine(`${n.nodeId} to start`, (l) => l.includes('node started'), 30_000);
      reader = await openStore(fixture.url, { cluster: CLUSTER, readOnly: true });
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

      const n4 = start('n4');
      await n4.proc.waitForLine('n4 to start', (l) => l.includes('node started'), 30_000);
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
      for (const n of rest) n.proc.signal('SIGTERM');
      await Promise.all(rest.map((n) => n.proc.exited));
    });
  });
}
