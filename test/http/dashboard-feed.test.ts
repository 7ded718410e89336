/**
 * The dashboard's data routes on two real nodes (memory store, in process): GET /node,
 * GET /dashboard/state with the members' own status and the leadership history, and GET /events,
 * which streams state events and ends when the serving node closes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryStore } from '../../src/backends/memory/index.js';
import { startNode } from '../../src/http/start-node.js';
import { turnMaintenanceOff, turnMaintenanceOn } from '../../src/operations/index.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import { getJson, silentLogger, testConfig } from '../node/node-helpers.js';
import { waitFor } from '../support/wait.js';

interface Snapshot {
  self: { nodeId: string; session: string; version: string };
  leader: { nodeId: string; term: number } | null;
  members: { nodeId: string; status: { session: string; lastRenewalAgeMs: number | null } | null }[];
  history: { term: number; from: string | null; to: string; reason: string; leaderlessMs: number }[];
  buckets: { bucketCount: number; offlineGraceMs: number; nodes: { nodeId: string; graceLeftMs: number | null }[] };
  resources: { name: string; placement: { partition: number; leader: string | null }[] }[];
  operations: { maintenance: { active: boolean; stored: { reason: string } | null }; requests: Record<string, unknown>; actions: { verb: string; by: string }[] };
}

describe('dashboard data routes', () => {
  const store = new MemoryStore();
  const nodes: BatonNode[] = [];
  before(async () => {
    for (const nodeId of ['a', 'b']) {
      const config = testConfig({ cluster: 'dash', nodeId, buckets: { enabled: true, count: 6 }, partitions: { things: { partitions: 3, replicas: 2 } } });
      nodes.push(await startNode(config, { openBackend: async () => store.backend('dash'), logger: silentLogger }));
    }
  });
  after(async () => {
    for (const node of nodes) await node.close();
  });

  it('GET /node: session, version, renewal age, zone and weight of the node', async () => {
    const [a] = nodes as [BatonNode];
    const { status, body } = await getJson(`${a.url}/node`);
    assert.equal(status, 200);
    assert.equal(body.nodeId, 'a');
    assert.equal(body.session, 'live');
    assert.match(String(body.version), /^\d+\.\d+\.\d+/);
    assert.equal(body.weight, 1);
    assert.equal(body.draining, false);
  });

  it('GET /node: draining while a drain request for the node is stored, not once it is withdrawn', async () => {
    const [, b] = nodes as [BatonNode, BatonNode];
    const drained = b.drain({ timeoutMs: 30_000, reason: 'dashboard test' });
    await waitFor('b reports draining', async () => (await getJson(`${b.url}/node`)).body.draining === true);
    assert.equal((await drained).drained, true);
    await b.cancelDrain();
    await waitFor('b no longer reports draining', async () => (await getJson(`${b.url}/node`)).body.draining === false);
  });

  it('GET /dashboard/state: every member with its own status, the leader in the history, buckets and resources', async () => {
    const [a] = nodes as [BatonNode];
    const state = await waitFor('a snapshot with both members answering and a leader', async () => {
      const body = (await getJson(`${a.url}/dashboard/state`)).body as unknown as Snapshot;
      return body.leader && body.members.length === 2 && body.members.every((m) => m.status?.session === 'live') ? body : null;
    });
    assert.equal(state.self.nodeId, 'a');
    assert.equal(state.history[0]?.to, state.leader?.nodeId);
    assert.equal(state.buckets.bucketCount, 6);
    assert.equal(typeof state.buckets.offlineGraceMs, 'number');
    assert.deepEqual(state.resources.map((r) => [r.name, r.placement.length]), [['things', 3]]);
  });

  it('GET /dashboard/state: the operations panel shows maintenance and the newest actions first', async () => {
    const [a] = nodes as [BatonNode];
    await turnMaintenanceOn(a.backend.kv, { reason: 'dashboard check', by: 'frank' });
    await turnMaintenanceOff(a.backend.kv, { by: 'gina', live: ['a', 'b'] });
    await turnMaintenanceOn(a.backend.kv, { reason: 'second', by: 'frank' });
    try {
      const { operations } = (await getJson(`${a.url}/dashboard/state`)).body as unknown as Snapshot;
      assert.equal(operations.maintenance.active, true);
      assert.equal(operations.maintenance.stored?.reason, 'second');
      assert.deepEqual(operations.actions.slice(0, 3).map((x) => [x.verb, x.by]), [['maintenance-on', 'frank'], ['maintenance-off', 'gina'], ['maintenance-on', 'frank']]);
    } finally {
      await turnMaintenanceOff(a.backend.kv, { by: 'gina', live: ['a', 'b'] });
    }
  });

  it('GET /events streams state events, and the stream ends when the node closes', async () => {
    const b = nodes[1] as BatonNode;
    const reply = await fetch(`${b.url}/events`);
    assert.match(String(reply.headers.get('content-type')), /text\/event-stream/);
    const reader = (reply.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!/event: state\ndata: .*\n\n[\s\S]*event: state\ndata: /.test(text)) {
      const { value, done } = await reader.read();
      assert.equal(done, false, 'the stream stays open while the node runs');
      text += new TextDecoder().decode(value);
    }
    const first = JSON.parse(/event: state\ndata: (.*)\n/.exec(text)?.[1] ?? 'null') as Snapshot;
    assert.equal(first.self.nodeId, 'b');
    const closing = b.close();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    await closing;
  });
});
