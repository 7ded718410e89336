/**
 * What a campaign costs etcd in requests, counted by etcd itself (its gRPC metrics), on a real
 * member. Placing buckets is one campaign per bucket, and on etcd the node processes spend most
 * of their time per request in grpc-js, so the count is the placement's speed. A campaign with
 * nobody ahead creates its candidate and reads the line in one transaction; a campaign that
 * waits looks again only after its predecessor's deletion. Campaigns of one session that start
 * together create their candidates in one transaction per 64 (candidate-batcher.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/index.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { DEFAULT_ETCD_PREFIX, EtcdLayout } from '../../src/backends/etcd/etcd-layout.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';
import { waitFor } from '../support/wait.js';

const TIMING = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 });
const CAMPAIGNS = 20;

describe('etcd: requests per campaign', () => {
  let etcd: EtcdCluster;
  const backends: Backend[] = [];

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    await etcd?.close();
  });

  /** Txn requests etcd has answered since it began, whatever the answer. */
  const txns = async (): Promise<number> => {
    const text = await (await fetch(`http://${etcd.endpoints[0] ?? ''}/metrics`)).text();
    const lines = text.split('\n').filter((l) => l.startsWith('grpc_server_handled_total{') && l.includes('grpc_method="Txn"'));
    return lines.reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
  };

  const session = async (cluster: string, nodeId: string) => {
    const backend = await createEtcdBackend({ endpoints: etcd.endpoints, cluster });
    backends.push(backend);
    return backend.openSession({ nodeId, info: {}, timing: TIMING });
  };

  it(`${CAMPAIGNS} campaigns with nobody ahead cost one transaction each`, async () => {
    const a = await session('uncontested', 'a');
    const before = await txns();
    for (let i = 0; i < CAMPAIGNS; i++) await a.campaign(`item-${i}`, {});
    const spent = (await txns()) - before;
    assert.equal(spent, CAMPAIGNS, `${CAMPAIGNS} uncontested campaigns sent ${spent} transactions`);
  });

  it('campaigns that start together create their candidates in one transaction per 64, each leading its own election', async () => {
    const a = await session('together', 'a');
    const before = await txns();
    const won = await Promise.all(Array.from({ length: 100 }, (_, i) => a.campaign(`item-${i}`, {})));
    const spent = (await txns()) - before;
    assert.equal(spent, 2, `100 campaigns started together sent ${spent} transactions`);
    assert.deepEqual(
      won.map((l) => l.election),
      Array.from({ length: 100 }, (_, i) => `item-${i}`),
    );
    assert.ok(won.every((l) => l.held()));
  });

  it('in a batch, a campaign with a holder ahead waits for it while the others lead', async () => {
    const a = await session('batch-behind', 'a');
    const b = await session('batch-behind', 'b');
    const held = await a.campaign('item-1', {});
    const started = ['item-0', 'item-1', 'item-2'].map((election) => b.campaign(election, {}));
    const [first, third] = await Promise.all([started[0]!, started[2]!]);
    assert.ok(first.held() && third.held(), 'the uncontested ones lead');
    await held.resign();
    const second = await started[1]!;
    assert.ok(second.term > held.term, `b leads item-1 after a, with term ${second.term} > ${held.term}`);
  });

  it('a batch whose compare fails creates nothing, and each candidate is then created alone', async () => {
    const a = await session('batch-fallback', 'a');
    // A leftover candidate of this session in one of the elections (as after a clean-up that never got through).
    const leftover = new EtcdLayout(DEFAULT_ETCD_PREFIX, 'batch-fallback').candidate('item-1', a.id);
    const put = await fetch(`http://${etcd.endpoints[0] ?? ''}/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({ key: Buffer.from(leftover).toString('base64'), value: Buffer.from('{}').toString('base64') }),
    });
    assert.equal(put.status, 200);
    const before = await txns();
    const won = await Promise.all(['item-0', 'item-1', 'item-2'].map((election) => a.campaign(election, {})));
    assert.ok(won.every((l) => l.held()));
    // The failed batch; three creates alone, and item-1's first finds the leftover: its delete and a create again.
    const spent = (await txns()) - before;
    assert.equal(spent, 6, `the fallback sent ${spent} transactions`);
  });

  it('a waiting campaign looks again once its predecessor is gone, and leads with the next term', async () => {
    const a = await session('contested', 'a');
    const b = await session('contested', 'b');
    const held = await a.campaign('leader', {});
    const before = await txns();
    const waiting = b.campaign('leader', {});
    // b's candidate is in line behind a's before a resigns.
    await waitFor("b's candidate to be created", async () => (await txns()) > before);
    await held.resign();
    const next = await waiting;
    assert.ok(next.term > held.term, `the next term ${next.term} follows ${held.term}`);
    // b's create-and-look, a's delete, b's look after the deletion.
    const spent = (await txns()) - before;
    assert.equal(spent, 3, `a contested campaign and the resign sent ${spent} transactions`);
  });
});
