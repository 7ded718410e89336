import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { MemoryStore } from '../../src/backends/memory/index.js';
import type { Backend } from '../../src/contract/contract.js';
import { isBatonError, StoreUnavailableError } from '../../src/errors.js';
import { createNode, startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import type { FeatureContext, NodeFeature } from '../../src/feature/feature.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { getJson, silentLogger, testConfig } from './node-helpers.js';

/** For tests that never wait for an expiry: pauses of several seconds do not end a session. */
const STEADY_TIMING = { ttlMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 500, pollIntervalMs: 50 };

describe('BatonNode on the memory backend', () => {
  const store = new MemoryStore();
  const nodes: BatonNode[] = [];
  const open = (cluster: string) => async (): Promise<Backend> => store.backend(cluster);
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });

  async function start(cluster: string, nodeId: string, features: NodeFeature[] = [], election?: object): Promise<BatonNode> {
    const node = await startNode(testConfig({ cluster, nodeId, ...(election ? { election } : {}) }), { openBackend: open(cluster), logger: silentLogger, features });
    nodes.push(node);
    return node;
  }

  it('three nodes elect exactly one leader, visible through /leader and /cluster on every node', async () => {
    // Nothing here waits for an expiry: a timing that a loaded machine's pauses cannot end (a
    // 1 s renew deadline once lapsed between the wait and the reads, and /leader said 503).
    const trio = [await start('trio', 'a', [], STEADY_TIMING), await start('trio', 'b', [], STEADY_TIMING), await start('trio', 'c', [], STEADY_TIMING)];
    await waitFor('one leader', () => trio.filter((n) => n.isLeader()).length === 1);
    const leader = trio.find((n) => n.isLeader());
    for (const node of trio) {
      const { status, body } = await getJson(`${node.url}/leader`);
      assert.equal(status, 200);
      assert.equal(body.nodeId, leader?.nodeId);
      assert.equal((body.info as { ports: { http: number } }).ports.http, leader?.port);
      assert.equal((await getJson(`${node.url}/ready`)).status, 200);
    }
    const { body } = await getJson(`${trio[0]?.url}/cluster`);
    assert.deepEqual((body.members as { nodeId: string }[]).map((m) => m.nodeId), ['a', 'b', 'c']);
    assert.equal((body.leader as { nodeId: string }).nodeId, leader?.nodeId);
    const metrics = await (await fetch(`${leader?.url}/metrics`)).text();
    assert.match(metrics, /^baton_leader\{[^}]*\} 1$/m);
    assert.match(metrics, /^baton_session_state\{state="live"[^}]*\} 1$/m);
  });

  it('closing the leader hands leadership to another node', async () => {
    const pair = [await start('pair', 'a'), await start('pair', 'b')];
    const first = await waitFor('a leader', () => pair.find((n) => n.isLeader()));
    await first.close();
    assert.equal(first.state, 'closed');
    const second = await waitFor('a new leader', () => pair.find((n) => n !== first && n.isLeader()), { timeoutMs: 5000 });
    assert.notEqual(second.nodeId, first.nodeId);
    assert.equal(await first.done, null);
  });

  it('opens a new session when the session is lost, and restarts the features on it', async () => {
    const calls: string[] = [];
    const feature: NodeFeature = {
      name: 'probe',
      async start(ctx: FeatureContext) {
        calls.push(`start:${ctx.session.id}`);
      },
      async stop() {
        calls.push('stop');
      },
    };
    const node = await start('lost', 'solo', [feature]);
    const firstSession = await waitFor('first session', () => (calls[0]?.startsWith('start:') ? calls[0].slice(6) : null));
    assert.equal(node.feature('probe'), feature);
    store.expire(firstSession);
    await waitFor('a second session', () => calls.length >= 3 && node.sessionState === 'live', { timeoutMs: 5000 });
    assert.equal(calls[1], 'stop');
    assert.match(calls[2] ?? '', /^start:/);
    assert.notEqual(calls[2], calls[0]);
    await waitFor('leads again', () => node.isLeader(), { timeoutMs: 5000 });
  });

  it('waits for a stale session of its own node id to go, then joins', async () => {
    const stale = await store.backend('restart').openSession({ nodeId: 'same', info: {}, timing: testConfig().election });
    const node = await start('restart', 'same');
    assert.equal(node.state, 'running');
    assert.equal(node.sessionState, 'none', 'the id is still taken by the stale session');
    assert.equal((await getJson(`${node.url}/ready`)).status, 503);
    store.expire(stale.id);
    await waitFor('the node to join', () => node.sessionState === 'live', { timeoutMs: 5000 });
    await waitFor('the node to lead', () => node.isLeader(), { timeoutMs: 5000 });
    await stale.close();
  });

  it('closes even when its store has become unreachable', async () => {
    const node = await start('cut', 'island');
    await waitFor('leads', () => node.isLeader());
    const sessionId = (await node.backend.members()).find((m) => m.nodeId === 'island')?.sessionId;
    assert.ok(sessionId);
    store.isolate(sessionId);
    await withTimeout('close', node.close(), 5000);
    assert.equal(node.state, 'closed');
    store.heal(sessionId);
  });

  it('reports a port in use with the port in the message', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const node = createNode(testConfig({ cluster: 'busy', nodeId: 'x', http: { port } }), { openBackend: open('busy'), logger: silentLogger });
      await assert.rejects(node.start(), (error: unknown) => isBatonError(error, 'PORT_IN_USE') && error.message.includes(String(port)) && error.message.includes('http.port'));
      assert.equal(node.state, 'closed');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('retries an unreachable store a bounded number of times, then fails clearly', async () => {
    let attempts = 0;
    const failing = async (): Promise<Backend> => {
      attempts += 1;
      throw new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:1');
    };
    const config = testConfig({ cluster: 'down', nodeId: 'x', store: { url: 'postgres://127.0.0.1:1/x', connectAttempts: 3, connectBackoffMs: 10 } });
    await assert.rejects(startNode(config, { openBackend: failing, logger: silentLogger }), (error: unknown) =>
      isBatonError(error, 'STORE_UNAVAILABLE') && /after 3 attempts/.test(error.message) && error.message.includes('127.0.0.1:1'));
    assert.equal(attempts, 3);
  });

  it('does not retry a definite refusal', async () => {
    let attempts = 0;
    const refusing = async (): Promise<Backend> => {
      attempts += 1;
      throw new (await import('../../src/errors.js')).ConfigError('store.url', 'bad');
    };
    await assert.rejects(startNode(testConfig({ cluster: 'bad', nodeId: 'x' }), { openBackend: refusing, logger: silentLogger }), (e: unknown) => isBatonError(e, 'CONFIG'));
    assert.equal(attempts, 1);
  });
});
