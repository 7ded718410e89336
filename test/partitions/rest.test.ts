/**
 * The partitions HTTP API on three in-process nodes (memory store, real clock): Pinot's
 * `/leader/tables[/{table}]` shapes field by field, the token on mutations, the enable flag round
 * trip and the NOT_LEADER redirect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryStore } from '../../src/backends/memory/index.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import { partitionOf } from '../../src/partitions/key-partition.js';
import { getJson, silentLogger, testConfig } from '../node/node-helpers.js';
import { waitFor } from '../support/wait.js';

const RESOURCE = 'leadControllerResource';
const TOKEN = 'sesame';
const TABLE = 'baseballStats_OFFLINE';

interface Tables {
  leadControllerResourceEnabled: boolean;
  leadControllerEntryMap: Record<string, { leadControllerId: string | null; tableNames: string[] }>;
}

describe('partitions HTTP API (3 nodes, memory store)', () => {
  const store = new MemoryStore();
  const nodes: BatonNode[] = [];

  before(async () => {
    for (const nodeId of ['a', 'b', 'c']) {
      const config = testConfig({ cluster: 'rest', nodeId, auth: { token: TOKEN }, partitions: { [RESOURCE]: { replicas: 2 } } });
      nodes.push(await startNode(config, { openBackend: async () => store.backend('rest'), logger: silentLogger }));
    }
    await waitFor('every partition led', () => allLed(), { timeoutMs: 15_000 });
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });

  /** partition -> leading node id, from the nodes themselves; null unless all 24 have exactly one. */
  function leaders(): string[] | null {
    const result: string[] = [];
    for (let p = 0; p < 24; p++) {
      const holders = nodes.filter((n) => n.partitions(RESOURCE).leading().includes(p));
      if (holders.length !== 1) return null;
      result.push(holders[0]!.nodeId);
    }
    return result;
  }
  const allLed = () => leaders() !== null;
  const send = (node: BatonNode, method: string, path: string, token: string | null = TOKEN) =>
    fetch(`${node.url}${path}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  it('registers keys only with the bearer token', async () => {
    assert.equal((await send(nodes[0]!, 'PUT', `/resources/${RESOURCE}/keys/${TABLE}`, null)).status, 401);
    assert.equal((await send(nodes[0]!, 'PUT', `/resources/${RESOURCE}/keys/${TABLE}`, 'wrong')).status, 401);
    assert.equal((await send(nodes[0]!, 'PUT', `/resources/${RESOURCE}/keys/${TABLE}`)).status, 200);
    assert.equal((await send(nodes[0]!, 'PUT', `/resources/${RESOURCE}/keys/other_REALTIME`)).status, 200);
    assert.equal((await send(nodes[0]!, 'PUT', `/resources/nope/keys/${TABLE}`)).status, 404);
    await waitFor('keys seen by every node', () => nodes.every((n) => n.partitions(RESOURCE).keysOf(7).includes(TABLE)));
  });

  it('GET /leader/tables lists every partition in order with its leader and tables (Pinot shape)', async () => {
    const expected = leaders()!;
    for (const node of nodes) {
      const { status, body } = await getJson(`${node.url}/leader/tables`);
      assert.equal(status, 200);
      const tables = body as unknown as Tables;
      assert.deepEqual(Object.keys(tables), ['leadControllerResourceEnabled', 'leadControllerEntryMap']);
      assert.equal(tables.leadControllerResourceEnabled, true);
      assert.deepEqual(Object.keys(tables.leadControllerEntryMap), Array.from({ length: 24 }, (_, p) => `${RESOURCE}_${p}`));
      for (const [p, leader] of expected.entries()) {
        const entry = tables.leadControllerEntryMap[`${RESOURCE}_${p}`]!;
        assert.deepEqual(Object.keys(entry), ['leadControllerId', 'tableNames']);
        assert.equal(entry.leadControllerId, leader, `partition ${p} on ${node.nodeId}`);
        const names = [TABLE, 'other_REALTIME'].filter((t) => partitionOf(t) === p);
        assert.deepEqual(entry.tableNames, names);
      }
    }
  });

  it('GET /leader/tables/{table} gives only the table\'s partition, with the table as its only name', async () => {
    const expected = leaders()!;
    const { status, body } = await getJson(`${nodes[1]!.url}/leader/tables/myTable_OFFLINE`);
    assert.equal(status, 200);
    const p = partitionOf('myTable_OFFLINE');
    assert.deepEqual(body, { leadControllerResourceEnabled: true, leadControllerEntryMap: { [`${RESOURCE}_${p}`]: { leadControllerId: expected[p], tableNames: ['myTable_OFFLINE'] } } });
  });

  it('a leader-only request to another node answers 409 NOT_LEADER with the leader\'s address', async () => {
    const leaderId = leaders()![7]!;
    const leader = nodes.find((n) => n.nodeId === leaderId)!;
    const other = nodes.find((n) => n.nodeId !== leaderId)!;
    const refused = await send(other, 'POST', `/resources/${RESOURCE}/keys/${TABLE}/act`, null);
    assert.equal(refused.status, 409);
    const body = (await refused.json()) as Record<string, unknown>;
    assert.equal(body.code, 'NOT_LEADER');
    assert.equal(body.leader, leaderId);
    assert.equal(body.leaderUrl, leader.url);
    assert.equal(body.partition, 7);
    const accepted = await send(leader, 'POST', `/resources/${RESOURCE}/keys/${TABLE}/act`, null);
    assert.equal(accepted.status, 200);
    const ok = (await accepted.json()) as Record<string, unknown>;
    assert.equal(ok.nodeId, leaderId);
    assert.equal(ok.token, leader.partitions(RESOURCE).isLeaderFor(TABLE).token);
  });

  it('GET /resources/{name} shows the placement, the leaders and what the node leads', async () => {
    const expected = leaders()!;
    const { status, body } = await getJson(`${nodes[2]!.url}/resources/${RESOURCE}`);
    assert.equal(status, 200);
    assert.equal(body.name, RESOURCE);
    assert.equal(body.enabled, true);
    assert.deepEqual([body.partitions, body.replicas, body.rebalanceDelayMs], [24, 2, 300_000]);
    assert.deepEqual(body.leading, expected.flatMap((l, p) => (l === nodes[2]!.nodeId ? [p] : [])));
    const placement = body.placement as { partition: number; nodes: string[]; leader: string | null; keys: string[] }[];
    assert.deepEqual(placement.map((e) => e.partition), Array.from({ length: 24 }, (_, p) => p));
    for (const entry of placement) {
      assert.equal(entry.nodes.length, 2);
      assert.equal(entry.leader, expected[entry.partition]);
      assert.equal(entry.nodes[0], entry.leader, 'the master leads');
    }
    assert.ok(placement[7]!.keys.includes(TABLE));
    assert.equal((await getJson(`${nodes[2]!.url}/resources/nope`)).status, 404);
  });

  it('exports the partitions led by each node as a metric', async () => {
    for (const node of nodes) {
      const text = await (await fetch(`${node.url}/metrics`)).text();
      const led = node.partitions(RESOURCE).leading().length;
      assert.match(text, new RegExp(`^baton_partitions_led\\{resource="${RESOURCE}"[^}]*\\} ${led}$`, 'm'));
    }
  });

  it('disable then enable: false with an empty map, the cluster leader leads every key, then back', async () => {
    assert.equal((await send(nodes[2]!, 'POST', `/resources/${RESOURCE}/disable`, null)).status, 401);
    assert.equal((await send(nodes[2]!, 'POST', `/resources/${RESOURCE}/disable`)).status, 200);
    const clusterLeader = await waitFor('a cluster leader', () => nodes.find((n) => n.isLeader()));
    await waitFor('the cluster leader leads all', () => leaders()?.every((l) => l === clusterLeader.nodeId), { timeoutMs: 15_000 });
    for (const path of ['/leader/tables', `/leader/tables/${TABLE}`]) {
      const { body } = await getJson(`${nodes[0]!.url}${path}`);
      assert.deepEqual(body, { leadControllerResourceEnabled: false, leadControllerEntryMap: {} });
    }
    assert.equal((await send(nodes[2]!, 'POST', `/resources/${RESOURCE}/enable`)).status, 200);
    await waitFor('masters lead again', () => nodes.every((n) => n.partitions(RESOURCE).enabled()) && new Set(leaders() ?? []).size === 3, { timeoutMs: 15_000 });
    const { body } = await getJson(`${nodes[0]!.url}/leader/tables/${TABLE}`);
    assert.equal((body as unknown as Tables).leadControllerResourceEnabled, true);
  });

  it('unregisters a key only with the bearer token', async () => {
    const p = partitionOf('other_REALTIME');
    assert.equal((await send(nodes[1]!, 'DELETE', `/resources/${RESOURCE}/keys/other_REALTIME`, null)).status, 401);
    assert.equal((await send(nodes[1]!, 'DELETE', `/resources/${RESOURCE}/keys/other_REALTIME`)).status, 200);
    await waitFor('the key gone on every node', () => nodes.every((n) => !n.partitions(RESOURCE).keysOf(p).includes('other_REALTIME')));
    const { body } = await getJson(`${nodes[0]!.url}/leader/tables`);
    assert.deepEqual((body as unknown as Tables).leadControllerEntryMap[`${RESOURCE}_${p}`]!.tableNames, p === 7 ? [TABLE] : []);
  });
});
