/**
 * One watch per node for the deletion of every candidate key it waits on (key-deletions.ts), on
 * a real etcd member. A watch per held term made etcd keep 100,000 watchers for 100,000 held
 * buckets and slow down for everyone; the watcher count must follow the nodes, not the terms.
 * The shared watch must still end exactly the term whose key is deleted, and a wait that starts
 * after the watch has passed its key's deletion must hear of it, not wait forever.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend, Leadership } from '../../src/contract/index.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { EtcdClient, type Message } from '../../src/backends/etcd/etcd-client.js';
import { bytes, prefixEnd, toNumber } from '../../src/backends/etcd/etcd-layout.js';
import { METHODS } from '../../src/backends/etcd/etcd-proto.js';
import { EtcdWatches } from '../../src/backends/etcd/etcd-watches.js';
import { KeyDeletions } from '../../src/backends/etcd/key-deletions.js';
import { systemClock } from '../../src/clock.js';
import type { LeadershipEndedError } from '../../src/errors.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';
import { waitFor, waitForAbort } from '../support/wait.js';

const TIMING = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 });
const TERMS = 40;
/** Keys of 200+ bytes: their deletion events at one revision take over 4 MiB. */
const MASS_KEYS = 25_000;
/** etcd's default --max-txn-ops. */
const MAX_TXN_OPS = 128;

describe('etcd: one shared watch for the deletion of candidate keys', () => {
  let etcd: EtcdCluster;
  let client: EtcdClient;
  const backends: Backend[] = [];

  before(async () => {
    etcd = await startEtcd();
    client = new EtcdClient({ endpoints: etcd.endpoints });
  });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    client?.close();
    await etcd?.close();
  });

  /** etcd's count of watchers on all its streams (a gauge in its Prometheus metrics). */
  const watcherCount = async (): Promise<number> => {
    const text = await (await fetch(`http://${etcd.endpoints[0] ?? ''}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('etcd_debugging_mvcc_watcher_total '));
    assert.ok(line, 'etcd reports etcd_debugging_mvcc_watcher_total');
    return Number(line.split(' ')[1]);
  };

  it(`a node holding ${TERMS} terms costs etcd one watcher, and a deleted key ends only its own term`, async () => {
    const before = await watcherCount();
    const backend = await createEtcdBackend({ endpoints: etcd.endpoints, cluster: 'watchers' });
    backends.push(backend);
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
    const terms: Leadership[] = [];
    for (let i = 0; i < TERMS; i++) terms.push(await session.campaign(`item-${i}`, {}));
    // The shared watch's create is answered before any deletion can be heard: wait for etcd to count it.
    const watchers = await waitFor('etcd to count the shared watch', async () => {
      const count = (await watcherCount()) - before;
      return count >= 1 ? count : null;
    });
    assert.ok(watchers <= 2, `${TERMS} held terms made ${watchers} watchers in etcd; expected 1`);

    const victim = 17;
    await client.unary(METHODS.deleteRange, { key: bytes(`/baton/watchers/elections/item-${victim}/`), range_end: prefixEnd(`/baton/watchers/elections/item-${victim}/`) });
    const ended = terms[victim] as Leadership;
    await waitForAbort(`the term of item-${victim} to end after its key was deleted`, ended.signal);
    assert.equal((ended.signal.reason as LeadershipEndedError).reason, 'taken-over');
    const stillHeld = terms.filter((t) => t.held()).length;
    assert.equal(stillHeld, TERMS - 1, 'every other term is still held');
  });

  it('a wait that starts after the shared watch passed its key deletion hears of it; one before what is remembered is told of a gap', async () => {
    const closed = new AbortController();
    const watches = new EtcdWatches(client, systemClock);
    const deletions = new KeyDeletions(watches, '/late/', closed.signal);
    try {
      const put = async (key: string): Promise<number> => toNumber(((await client.unary(METHODS.put, { key: bytes(key), value: bytes('{}') }))['header'] as Message)['revision']);
      await put('/late/a');
      await put('/late/b');
      const start = await put('/late/c');
      const forever = new AbortController();
      const events: string[] = [];
      deletions.wait('/late/a', start + 1, { onDeleted: () => events.push('a deleted'), onGap: () => events.push('a gap') }, forever.signal);
      const deletedB = toNumber(((await client.unary(METHODS.deleteRange, { key: bytes('/late/b') }))['header'] as Message)['revision']);
      // Someone else waited on b from the start: once told, the shared watch has passed b's deletion.
      deletions.wait('/late/b', start + 1, { onDeleted: () => events.push('b deleted (early wait)'), onGap: () => events.push('b gap') }, forever.signal);
      await waitFor('the shared watch to deliver the deletion of b', () => events.includes('b deleted (early wait)'));

      deletions.wait('/late/b', deletedB, { onDeleted: () => events.push('b deleted (late wait)'), onGap: () => events.push('b gap (late wait)') }, forever.signal);
      await waitFor('the late wait on b to be answered from what was remembered', () => events.includes('b deleted (late wait)'));
      deletions.wait('/late/c', start, { onDeleted: () => events.push('c deleted'), onGap: () => events.push('c gap') }, forever.signal);
      await waitFor('a wait from before the shared watch began to be told of a gap', () => events.includes('c gap'));

      await client.unary(METHODS.deleteRange, { key: bytes('/late/a') });
      await waitFor('the deletion of a to reach its waiter', () => events.includes('a deleted'));
      assert.deepEqual(events, ['b deleted (early wait)', 'b deleted (late wait)', 'c gap', 'a deleted']);
      forever.abort();
    } finally {
      closed.abort();
      watches.close();
    }
  });

  it(`a lease that takes ${MASS_KEYS} long keys at one revision: every waiter hears of its key's deletion`, async () => {
    const closed = new AbortController();
    const watches = new EtcdWatches(client, systemClock);
    const deletions = new KeyDeletions(watches, '/mass/', closed.signal);
    try {
      const lease = String((await client.unary(METHODS.leaseGrant, { TTL: 60 }))['ID']);
      const keys = Array.from({ length: MASS_KEYS }, (_, i) => `/mass/${'k'.repeat(200)}/${i}`);
      let start = 0;
      for (let i = 0; i < keys.length; i += MAX_TXN_OPS) {
        const puts = keys.slice(i, i + MAX_TXN_OPS).map((key) => ({ request_put: { key: bytes(key), value: bytes('{}'), lease } }));
        const response = await client.unary(METHODS.txn, { success: puts });
        start = toNumber((response['header'] as Message)['revision']);
      }
      const heard = new Set<string>();
      const forever = new AbortController();
      const waited = [keys[0], keys[MASS_KEYS >> 1], keys[MASS_KEYS - 1]] as string[];
      for (const key of waited) deletions.wait(key, start + 1, { onDeleted: () => heard.add(key), onGap: () => undefined }, forever.signal);
      await client.unary(METHODS.leaseRevoke, { ID: lease });
      // Over 4 MiB of events at one revision: one answer would exceed what grpc-js takes by default.
      await waitFor('every waiter to hear of its key deletion', () => heard.size === waited.length, { timeoutMs: 20_000 });
      forever.abort();
    } finally {
      closed.abort();
      watches.close();
    }
  });
});
