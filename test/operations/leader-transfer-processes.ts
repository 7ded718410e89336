/**
 * Leader transfer with real processes: three `baton start` nodes on one store and the
 * `baton leader transfer` command as its own process. What the nodes did is read from their
 * own log lines ("started leading" / "stopped leading" with the term; pino's `time`, one clock on
 * this machine): never two leaders, terms only grow, and the term after the transfer is the
 * target's (one handoff, nobody in between).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../cli/cli-process.js';
import { BatonProcesses, type NodeProcess } from '../support/baton-processes.js';
import { waitFor } from '../support/wait.js';
import type { StoreUnderTest } from '../support/stores-under-test.js';

/**
 * A TTL far longer than any wait here (a loaded machine never expires a live session, so every
 * term change seen is a transfer); the transfer's bounds are retry periods.
 */
const TIMING = ['--election-ttl-ms', '20000', '--election-renew-deadline-ms', '14000', '--election-retry-period-ms', '1000', '--election-poll-interval-ms', '100'];

interface Span {
  readonly nodeId: string;
  readonly term: number;
  readonly from: number;
  readonly to: number | null;
}

/** Every term each node reported, from its log lines. */
function spansOf(nodes: readonly NodeProcess[]): Span[] {
  return nodes.flatMap(({ nodeId, proc }) => {
    const lines = proc.logs();
    return lines
      .filter((l) => l.msg === 'started leading')
      .map((start) => {
        const stop = lines.find((l) => l.msg === 'stopped leading' && l.term === start.term);
        return { nodeId, term: Number(start.term), from: Number(start.time), to: stop === undefined ? null : Number(stop.time) };
      });
  });
}

/** No two terms overlap in time, terms grow; the spans in order. */
function history(nodes: readonly NodeProcess[]): Span[] {
  const ordered = spansOf(nodes).sort((a, b) => a.term - b.term);
  for (let i = 1; i < ordered.length; i++) {
    const before = ordered[i - 1]!;
    const next = ordered[i]!;
    assert.ok(before.to !== null && before.to <= next.from, `two leaders at once: ${before.nodeId} (term ${before.term}) until ${before.to}, ${next.nodeId} (term ${next.term}) from ${next.from}`);
    assert.ok(next.from >= before.from, 'a higher term started earlier');
  }
  return ordered;
}

export function describeTransferProcesses(store: StoreUnderTest): void {
  describe(`leader transfer with real processes (${store.name})`, () => {
    const processes = new BatonProcesses(store);
    const tag = randomBytes(3).toString('hex');
    before(() => processes.setUp());
    after(() => processes.tearDown());

    /** Starts the nodes one after another, each once the one before it printed its start line. */
    async function startNodes(cluster: string, ids: readonly string[], extra: readonly string[] = []): Promise<NodeProcess[]> {
      const nodes: NodeProcess[] = [];
      for (const nodeId of ids) nodes.push(await processes.start(cluster, nodeId, [...TIMING, ...extra]));
      return nodes;
    }

    const leaderOf = async (cluster: string) => {
      const result = await runCli(['leader', '--json', '--store', processes.url, '--cluster', cluster]);
      return JSON.parse(result.stdout) as { nodeId: string; term: number } | null;
    };
    const transfer = (cluster: string, args: readonly string[]) => runCli(['leader', 'transfer', ...args, '--json', '--store', processes.url, '--cluster', cluster], {}, 40_000);

    it('transfer --to n3, then without --to, then to an unknown node: one handoff each, never two leaders; the unknown one is refused', async () => {
      const cluster = `transfer-${tag}`;
      const nodes = await startNodes(cluster, ['n1', 'n2', 'n3']);
      const first = await waitFor('a leader', () => leaderOf(cluster), { timeoutMs: 30_000, intervalMs: 100 });

      const target = first.nodeId === 'n3' ? 'n2' : 'n3';
      const moved = await transfer(cluster, ['--to', target, '--by', 'carol']);
      assert.equal(moved.code, 0, moved.stderr);
      const outcome = JSON.parse(moved.stdout) as { leader: { nodeId: string; term: number }; from: { term: number } };
      assert.equal(outcome.leader.nodeId, target);
      const afterNamed = await waitFor(`${target}'s log to show its term`, () => {
        const spans = history(nodes);
        const at = spans.findIndex((s) => s.term === first.term);
        return at >= 0 && spans[at]!.to !== null && spans[at + 1] ? spans[at + 1] : null;
      }, { timeoutMs: 20_000, intervalMs: 100 });
      assert.equal(afterNamed.nodeId, target, `the term after ${first.nodeId}'s went to ${afterNamed.nodeId}`);

      const anyOther = await transfer(cluster, []);
      assert.equal(anyOther.code, 0, anyOther.stderr);
      const next = (JSON.parse(anyOther.stdout) as { leader: { nodeId: string; term: number } }).leader;
      assert.notEqual(next.nodeId, target);
      await waitFor('the next term in the logs', () => history(nodes).some((s) => s.term === next.term), { timeoutMs: 20_000, intervalMs: 100 });
      const spans = history(nodes);
      assert.equal(spans[spans.findIndex((s) => s.term === afterNamed.term) + 1]?.nodeId, next.nodeId, 'a term in between');

      const unknown = await transfer(cluster, ['--to', 'nobody']);
      assert.equal(unknown.code, 1);
      const error = (JSON.parse(unknown.stderr) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'NOT_FOUND');
      assert.match(error.message, /"nobody" is not a live member.*live nodes: n1, n2, n3/);
      assert.equal((await leaderOf(cluster))?.term, next.term);
      await processes.stop(nodes);
      history(nodes); // the graceful stops too: never two leaders
    });

    it('election.preferredLeader: the preferred node takes the leadership once it has been live for a TTL', async () => {
      const cluster = `preferred-${tag}`;
      const preferred = ['--election-preferred-leader', 'p3'];
      const nodes = await startNodes(cluster, ['p1', 'p2'], preferred);
      const first = await waitFor('a leader', () => leaderOf(cluster), { timeoutMs: 30_000, intervalMs: 100 });
      nodes.push(...(await startNodes(cluster, ['p3'], preferred)));
      const now = await waitFor('p3 to lead', async () => {
        const leader = await leaderOf(cluster);
        return leader?.nodeId === 'p3' ? leader : null;
      }, { timeoutMs: 60_000, intervalMs: 200 });
      assert.ok(now.term > first.term);
      await waitFor('p3\'s term in its log', () => history(nodes).some((s) => s.term === now.term), { timeoutMs: 20_000, intervalMs: 100 });
      const spans = history(nodes);
      assert.equal(spans[spans.findIndex((s) => s.term === first.term) + 1]?.nodeId, 'p3');
      await processes.stop(nodes);
    });
  });
}
