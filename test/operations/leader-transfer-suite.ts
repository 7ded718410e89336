/**
 * Leader transfer and the preferred leader against real in-process nodes on one store: every
 * node's `acquired` and `released` events are recorded on one monotonic clock, so the test sees
 * what the nodes themselves did: never two leaders at once, terms that only grow, and after a
 * transfer the very next term is the target's (no other node leads in between: one handoff).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { openStore } from '../../src/backends/open-store.js';
import type { Backend } from '../../src/contract/contract.js';
import { CLUSTER_LEADER_ELECTION } from '../../src/election/index.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import { clearDrainRequest, readActions, readLeaderTransfer, writeDrainRequest } from '../../src/operations/index.js';
import { cliInProcess } from '../cli/cli-capture.js';
import { silentLogger, testConfig } from '../node/node-helpers.js';
import type { StoreUnderTest } from '../support/stores-under-test.js';
import { waitFor } from '../support/wait.js';

/**
 * Session timing (ms): a TTL long enough that a loaded machine's stalls never expire a live
 * node's session mid-test (a term lost that way is not a transfer); the transfer's bounds are
 * retry periods (the old leader waits one for the others to stand by, the request holds three).
 */
const TIMING = { ttlMs: 10_000, renewDeadlineMs: 7_000, retryPeriodMs: 1_000, pollIntervalMs: 50 };

const TOKEN = 'transfer-secret';

/** One node's leadership as it reported it: a term from `acquired` to `released` (performance.now()). */
interface TermSpan {
  readonly nodeId: string;
  readonly term: number;
  readonly from: number;
  to: number | null;
}

export function describeLeaderTransfer(store: StoreUnderTest): void {
  describe(`leader transfer (${store.name}, 3 in-process nodes)`, () => {
    let url = '';
    let reader: Backend;
    const nodes = new Map<string, BatonNode>();
    const spans: TermSpan[] = [];
    let cluster = 'transfer1';
    const cli = (args: string[]) => cliInProcess(['leader', 'transfer', ...args, '--store', url, '--cluster', cluster, '--json']);

    async function start(nodeId: string, values: Record<string, unknown> = {}, logger: Logger = silentLogger): Promise<BatonNode> {
      const node = await startNode(testConfig({ store: url, cluster, nodeId, election: TIMING, auth: { token: TOKEN }, ...values }), { logger });
      node.on('acquired', (held) => void spans.push({ nodeId, term: held.token, from: performance.now(), to: null }));
      node.on('released', () => {
        const open = spans.findLast((s) => s.nodeId === nodeId && s.to === null);
        if (open) open.to = performance.now();
      });
      nodes.set(nodeId, node);
      return node;
    }

    async function closeAll(): Promise<void> {
      for (const node of nodes.values()) await node.close();
      nodes.clear();
    }

    const leaderNow = () => reader.leader(CLUSTER_LEADER_ELECTION);
    const leaderIs = (nodeId: string, aboveTerm = 0) =>
      waitFor(`${nodeId} to lead above term ${aboveTerm}`, async () => {
        const leader = await leaderNow();
        return leader?.nodeId === nodeId && leader.term > aboveTerm && nodes.get(nodeId)?.isLeader() ? leader : null;
      }, { timeoutMs: 30_000, intervalMs: 50 });

    /** No two spans overlap; terms grow with time; returns the spans in order. */
    function checkHistory(): TermSpan[] {
      const ordered = [...spans].sort((a, b) => a.from - b.from);
      for (let i = 1; i < ordered.length; i++) {
        const before = ordered[i - 1]!;
        const next = ordered[i]!;
        assert.ok(before.to !== null && before.to <= next.from, `two leaders at once: ${before.nodeId} (term ${before.term}) still led when ${next.nodeId} (term ${next.term}) started`);
        assert.ok(next.term > before.term, `terms did not grow: ${before.term} then ${next.term}`);
      }
      return ordered;
    }

    /** The span right after the one of `term`, and the gap between them (ms, for the log only). */
    function successorOf(term: number): { span: TermSpan; gapMs: number } {
      const ordered = checkHistory();
      const index = ordered.findIndex((s) => s.term === term);
      const old = ordered[index]!;
      const span = ordered[index + 1];
      assert.ok(span !== undefined && old.to !== null, `no term after ${term}`);
      return { span, gapMs: span.from - old.to };
    }

    before(async () => {
      url = await store.setup();
      await start('n1');
      reader = await openStore(url, { cluster, readOnly: true });
      await leaderIs('n1');
      await start('n2');
      await start('n3');
      await waitFor('3 members', async () => (await reader.members()).length === 3);
    });
    after(async () => {
      await closeAll();
      await reader?.close();
      await store.teardown();
    });

    it('transfer --to n3: the next term is n3\'s, started after n1 released (never two leaders), logged as an action', async () => {
      const old = (await leaderNow())!;
      assert.equal(old.nodeId, 'n1');
      const result = await cli(['--to', 'n3', '--by', 'alice']);
      assert.equal(result.code, 0, result.err);
      const outcome = JSON.parse(result.out) as { moved: boolean; from: { nodeId: string; term: number }; leader: { nodeId: string; term: number }; by: string };
      assert.deepEqual({ moved: outcome.moved, from: outcome.from, leader: outcome.leader.nodeId, by: outcome.by }, { moved: true, from: { nodeId: 'n1', term: old.term }, leader: 'n3', by: 'alice' });
      await leaderIs('n3', old.term);
      const { span, gapMs } = successorOf(old.term);
      assert.equal(span.nodeId, 'n3', `the term after n1's went to ${span.nodeId}, not the target`);
      console.log(`# ${store.name}: n1 released -> n3 acquired in ${gapMs.toFixed(1)} ms`);
      const request = (await readLeaderTransfer(reader.kv))!.request;
      await waitFor('the request to be marked ended', async () => (await readLeaderTransfer(reader.kv))?.request.ended?.nodeId === 'n3');
      assert.deepEqual({ to: request.to, from: request.from, fromTerm: request.fromTerm, by: request.by }, { to: 'n3', from: 'n1', fromTerm: old.term, by: 'alice' });
      const action = (await readActions(reader.kv)).at(-1);
      assert.deepEqual({ verb: action?.verb, by: action?.by, to: action?.detail.to }, { verb: 'leader-transfer', by: 'alice', to: 'n3' });
    });

    it('transfer without --to: another node leads the next term', async () => {
      const old = (await leaderNow())!;
      const result = await cli([]);
      assert.equal(result.code, 0, result.err);
      const outcome = JSON.parse(result.out) as { leader: { nodeId: string; term: number } };
      assert.notEqual(outcome.leader.nodeId, old.nodeId);
      assert.ok(outcome.leader.term > old.term);
      await waitFor('the new leader to report its term', () => nodes.get(outcome.leader.nodeId)?.isLeader());
      const { span } = successorOf(old.term);
      assert.notEqual(span.nodeId, old.nodeId);
      // The new leader marks the request ended after it acquired: wait, so the next test reads it settled.
      await waitFor('the request to be marked ended', async () => (await readLeaderTransfer(reader.kv))?.request.ended?.nodeId === outcome.leader.nodeId);
    });

    it('transfer --to an unknown node is refused, naming the live nodes; nothing moves', async () => {
      const old = (await leaderNow())!;
      // The last transfer's new leader marks its request ended after its term started (so after
      // that transfer returned): the snapshot is of the request once that write has landed.
      const before = await waitFor('the last transfer\'s request to be marked ended by the current term', async () => {
        const stored = await readLeaderTransfer(reader.kv);
        return stored?.request.ended?.term === old.term ? stored : null;
      });
      const result = await cli(['--to', 'nope']);
      assert.equal(result.code, 1);
      const error = (JSON.parse(result.err) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'NOT_FOUND');
      assert.match(error.message, /"nope" is not a live member.*n1, n2, n3/);
      assert.deepEqual(await readLeaderTransfer(reader.kv), before, 'a refused transfer wrote a request');
      assert.equal((await leaderNow())?.term, old.term);
    });

    it('transfer --to a draining node is refused (it would not campaign); nothing moves', async () => {
      const old = (await leaderNow())!;
      const draining = ['n1', 'n2', 'n3'].find((id) => id !== old.nodeId)!;
      await writeDrainRequest(nodes.get(old.nodeId)!.backend.kv, draining, { by: 'test' });
      try {
        const result = await cli(['--to', draining]);
        assert.equal(result.code, 1);
        const error = (JSON.parse(result.err) as { error: { code: string; message: string } }).error;
        assert.equal(error.code, 'STATE');
        assert.match(error.message, /is draining/);
        assert.equal((await leaderNow())?.term, old.term);
      } finally {
        await clearDrainRequest(nodes.get(old.nodeId)!.backend.kv, draining);
      }
    });

    it('POST /leader/transfer (bearer token) moves it the same way; without the token 401', async () => {
      const old = (await leaderNow())!;
      const target = ['n1', 'n2', 'n3'].find((id) => id !== old.nodeId)!;
      const via = nodes.get(target)!; // any node serves it; the target's own API too
      const post = (headers: Record<string, string>) =>
        fetch(`${via.url}/leader/transfer`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ to: target, by: 'bob' }) });
      assert.equal((await post({})).status, 401);
      const response = await post({ authorization: `Bearer ${TOKEN}` });
      const body = (await response.json()) as { moved: boolean; leader: { nodeId: string; term: number }; by: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.deepEqual({ moved: body.moved, leader: body.leader.nodeId, by: body.by }, { moved: true, leader: target, by: 'bob' });
      await leaderIs(target, old.term);
      assert.equal(successorOf(old.term).span.nodeId, target);
      const refused = await fetch(`${via.url}/leader/transfer`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ to: 'nope' }) });
      assert.equal(refused.status, 404);
    });

    it('transfer --to the leader itself moves nothing', async () => {
      const old = (await leaderNow())!;
      const result = await cli(['--to', old.nodeId]);
      assert.equal(result.code, 0, result.err);
      assert.equal((JSON.parse(result.out) as { moved: boolean }).moved, false);
      assert.equal((await leaderNow())?.term, old.term);
    });

    it('preferred leader: a node configured as preferred takes the leadership once it has been live for a TTL; once only', async () => {
      await closeAll();
      spans.length = 0;
      cluster = 'transfer2';
      const preferred = { election: { ...TIMING, preferredLeader: 'p3' } };
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      await start('p1', preferred);
      await reader.close();
      reader = await openStore(url, { cluster, readOnly: true });
      await leaderIs('p1');
      await start('p2', preferred, logger);
      const first = (await leaderNow())!;
      assert.equal(first.nodeId, 'p1', 'the leadership moved while the preferred node was not live');
      await start('p3', preferred);
      await leaderIs('p3', first.term);
      const { span } = successorOf(first.term);
      assert.equal(span.nodeId, 'p3');
      const request = (await readLeaderTransfer(reader.kv))?.request;
      assert.equal(request?.reason, 'preferred leader');
      assert.equal(request?.by, 'p1');
      // An operator moves it away: the preferred node was asked once for this session, so the
      // leadership stays where the operator put it (no pull back, no flapping).
      const moved = await cli(['--to', 'p2']);
      assert.equal(moved.code, 0, moved.err);
      const p2 = await leaderIs('p2');
      const preferredMoves = async () => (await readActions(reader.kv)).filter((a) => a.detail.reason === 'preferred leader').length;
      assert.equal(await preferredMoves(), 1);
      // Once p3 has been live for the health window as p2 sees it, p2 decides, and declines.
      await waitFor('p2 to decline a second preferred-leader move', () => lines.some((l) => l.includes('"reason":"preferred leader asked once"')), { timeoutMs: 4 * TIMING.ttlMs });
      assert.equal((await leaderNow())?.term, p2.term, 'the leadership moved back to the preferred node');
      assert.equal(await preferredMoves(), 1);
    });

    it('preferred masters: a partition\'s preferred node becomes its acting master once it is live, on every node\'s view', async () => {
      await closeAll();
      cluster = 'transfer3';
      const resource = { res: { partitions: 4, replicas: 2, rebalanceDelayMs: 0, placementIntervalMs: 1_000, preferredMasters: { '0': 'q3', '2': 'q3' } } };
      await start('q1', { partitions: resource });
      await start('q2', { partitions: resource });
      const masters = (node: BatonNode) => [0, 1, 2, 3].map((p) => node.partitions('res').leaderOfPartition(p));
      await waitFor('q1 and q2 to master every partition', () => [...nodes.values()].every((n) => masters(n).every((m) => m === 'q1' || m === 'q2')), { timeoutMs: 30_000 });
      await start('q3', { partitions: resource });
      await waitFor('q3 to master partitions 0 and 2 on every node', () => [...nodes.values()].every((n) => masters(n)[0] === 'q3' && masters(n)[2] === 'q3'), { timeoutMs: 30_000, intervalMs: 50 });
      await waitFor('q3 to hold partitions 0 and 2', () => {
        const leading = nodes.get('q3')!.partitions('res').leading();
        return leading.includes(0) && leading.includes(2);
      }, { timeoutMs: 30_000, intervalMs: 50 });
      const placement = nodes.get('q1')!.partitions('res').placement()!;
      const load = (id: string) => Object.values(placement).filter((list) => list.includes(id)).length;
      assert.ok(Math.max(load('q1'), load('q2'), load('q3')) - Math.min(load('q1'), load('q2'), load('q3')) <= 1, `loads stay balanced: ${JSON.stringify(placement)}`);
    });
  });
}
