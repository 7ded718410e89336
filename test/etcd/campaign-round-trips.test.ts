/**
 * What a campaign costs etcd in requests, counted by etcd itself (its gRPC metrics), on a real
 * member. Placing buckets is one campaign per bucket, and on etcd the node processes spend most
 * of their time per request in grpc-js, so the count is the placement's speed. A campaign with
 * nobody ahead creates its candidate and reads the line in one transaction; a campaign that
 * waits looks again only after its predecessor's deletion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/index.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
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
