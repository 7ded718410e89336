/**
 * Readers on etcd tell a misspelt cluster from an empty one (issue 14): `clusters()` lists the
 * clusters with any key under the URL's prefix, and `baton status --cluster` of another name
 * exits 1 naming them. Real etcd member.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/index.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { cliInProcess } from '../cli/cli-capture.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';

const TIMING = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 });

describe('etcd: the clusters a store holds', () => {
  let etcd: EtcdCluster;
  const backends: Backend[] = [];
  const open = async (cluster: string, prefix?: string) => {
    const backend = await createEtcdBackend({ endpoints: etcd.endpoints, cluster, ...(prefix ? { prefix } : {}) });
    backends.push(backend);
    return backend;
  };

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    await etcd?.close();
  });

  it('lists every cluster with a member, a candidate or a document, one read per cluster, and nothing under another prefix', async () => {
    const shop = await open('shop');
    assert.deepEqual(await shop.clusters?.(), []);
    const session = await shop.openSession({ nodeId: 'n1', info: {}, timing: TIMING });
    await session.campaign('leader', {});
    // Names that sort around each other byte by byte ('-' < '/' < 'b').
    await (await open('a-b')).kv.put('k', { v: 1 }, { expectVersion: 0 });
    await (await open('ab')).kv.put('k', { v: 1 }, { expectVersion: 0 });
    await (await open('a')).kv.put('k', { v: 1 }, { expectVersion: 0 });
    assert.deepEqual(await shop.clusters?.(), ['a', 'a-b', 'ab', 'shop']);
    assert.deepEqual(await (await open('shop', '/elsewhere')).clusters?.(), []);
  });

  it('baton status of a misspelt cluster exits 1 naming the clusters the store holds', async () => {
    const url = `etcd://${etcd.endpoints.join(',')}`;
    const { code, err, out } = await cliInProcess(['status', '--store', url, '--cluster', 'shpo']);
    assert.equal(code, 1, err);
    assert.equal(out, '');
    assert.match(err, /no cluster "shpo" in this store; clusters in this store: a, a-b, ab, shop\b/);
  });
});
