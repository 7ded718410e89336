/**
 * The end-to-end scenario every store must pass, with real `baton start` processes:
 * three nodes elect exactly one leader (seen the same through every node's /leader and through
 * `baton status --json`); SIGTERM of the leader hands over without waiting for the TTL;
 * SIGKILL of the leader hands over once the TTL has passed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { BatonProcesses, type NodeProcess } from '../support/baton-processes.js';
import type { StoreUnderTest } from '../support/stores-under-test.js';
import { waitFor } from '../support/wait.js';
import { runCli } from './cli-process.js';

/**
 * Graceful handover timing: a TTL far longer than the wait allowed for the handover, so a
 * successor found within the wait proves the lease was released, not expired.
 */
const LONG_TTL = ['--election-ttl-ms', '60000', '--election-renew-deadline-ms', '40000', '--election-retry-period-ms', '500', '--election-poll-interval-ms', '100'];
const HANDOVER_WAIT_MS = 15_000;
/** Crash timing: short, so the TTL runs out quickly. */
const SHORT = { ttlMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500, pollIntervalMs: 100 };
const SHORT_TTL = ['--election-ttl-ms', String(SHORT.ttlMs), '--election-renew-deadline-ms', String(SHORT.renewDeadlineMs), '--election-retry-period-ms', String(SHORT.retryPeriodMs), '--election-poll-interval-ms', String(SHORT.pollIntervalMs)];

async function leaderSeenBy(node: NodeProcess): Promise<{ nodeId: string; term: number } | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${node.port}/leader`);
    if (response.status !== 200) return null;
    return (await response.json()) as { nodeId: string; term: number };
  } catch {
    return null;
  }
}

/** Waits until every node's /leader names the same node (not `excluded`); returns it. */
async function agreedLeader(nodes: readonly NodeProcess[], excluded?: string, timeoutMs = 20_000): Promise<{ nodeId: string; term: number }> {
  return waitFor('every node to report the same leader', async () => {
    const seen = await Promise.all(nodes.map(leaderSeenBy));
    const first = seen[0];
    if (!first || first.nodeId === excluded) return null;
    return seen.every((s) => s?.nodeId === first.nodeId && s.term === first.term) ? first : null;
  }, { timeoutMs, intervalMs: 100 });
}

export function describeThreeNodes(store: StoreUnderTest): void {
  describe(`three baton nodes on ${store.name}`, () => {
    const processes = new BatonProcesses(store);
    const tag = randomBytes(3).toString('hex');
    before(() => processes.setUp());
    after(() => processes.tearDown());
    const startNodes = (cluster: string, timing: readonly string[]) => processes.startAll(cluster, ['n1', 'n2', 'n3'], timing);

    it('elects one leader, seen by every node and by baton status; SIGTERM hands over at once', async () => {
      const cluster = `e2e-graceful-${tag}`;
      const nodes = await startNodes(cluster, LONG_TTL);
      const leader = await agreedLeader(nodes);
      const status = await runCli(['status', '--json', '--store', processes.url, '--cluster', cluster]);
      assert.equal(status.code, 0, status.stderr);
      const view = JSON.parse(status.stdout) as { leader: { nodeId: string; term: number }; members: { nodeId: string; leader: boolean }[] };
      assert.equal(view.leader.nodeId, leader.nodeId);
      assert.deepEqual(view.members.map((m) => m.nodeId), ['n1', 'n2', 'n3']);
      assert.deepEqual(view.members.filter((m) => m.leader).map((m) => m.nodeId), [leader.nodeId]);

      const old = nodes.find((n) => n.nodeId === leader.nodeId);
      assert.ok(old);
      old.proc.signal('SIGTERM');
      const rest = nodes.filter((n) => n !== old);
      // The TTL is 60 s: a successor within HANDOVER_WAIT_MS means the lease was released.
      const next = await agreedLeader(rest, old.nodeId, HANDOVER_WAIT_MS);
      assert.ok(next.term > leader.term, `term ${next.term} after ${leader.term}`);
      assert.equal((await old.proc.exited).code, 0);
      const after = JSON.parse((await runCli(['status', '--json', '--store', processes.url, '--cluster', cluster])).stdout) as { members: { nodeId: string }[] };
      assert.ok(!after.members.some((m) => m.nodeId === old.nodeId), 'the stopped node left the member list at once');
      await processes.stop(rest);
    });

    it('SIGKILL of the leader: another node leads once the TTL has passed', async () => {
      const cluster = `e2e-crash-${tag}`;
      const nodes = await startNodes(cluster, SHORT_TTL);
      const leader = await agreedLeader(nodes);
      const old = nodes.find((n) => n.nodeId === leader.nodeId);
      assert.ok(old);
      const killedAt = performance.now();
      old.proc.signal('SIGKILL');
      const rest = nodes.filter((n) => n !== old);
      const next = await agreedLeader(rest, old.nodeId, 20_000);
      const waited = performance.now() - killedAt;
      assert.ok(next.term > leader.term);
      // Safety: nobody may take over before the lease could expire: the last renewal was at
      // most one retry period before the kill (300 ms slack for scheduling).
      assert.ok(waited >= SHORT.ttlMs - SHORT.retryPeriodMs - 300, `took over after ${Math.round(waited)} ms, before the TTL`);
      await processes.stop(rest);
    });
  });
}
