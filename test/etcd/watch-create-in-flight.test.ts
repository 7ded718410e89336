/**
 * A write that lands while a new watch's create request is still on its way to etcd: the watch
 * must report it. The create is held back by a stalled TCP proxy between the watching backend
 * and its member, the write goes to the member directly, then the create is let through. A
 * watch created "from now" starts at the member's revision when the create arrives, after the
 * write, and never hears of it (the contract suite's watch test timed out this way under load).
 */
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/index.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

describe('etcd: a watch whose create is in flight', () => {
  let etcd: EtcdCluster;
  let proxy: TcpProxy;
  const backends: Backend[] = [];

  before(async () => {
    etcd = await startEtcd();
    proxy = await TcpProxy.start('127.0.0.1', etcd.members[0]?.clientPort ?? 0);
  });
  after(async () => {
    proxy?.unstall();
    await Promise.allSettled(backends.map((b) => b.close()));
    await proxy?.close();
    await etcd?.close();
  });

  it('reports a write made after watch() returned and before etcd created the watch', async () => {
    const watcher = await createEtcdBackend({ endpoints: [`127.0.0.1:${proxy.port}`], cluster: 'in-flight' });
    const writer = await createEtcdBackend({ endpoints: etcd.endpoints, cluster: 'in-flight' });
    backends.push(watcher, writer);
    const watches = new AbortController();
    let fired = 0;
    try {
      proxy.stall();
      watcher.kv.watch('w/', () => fired++, { signal: watches.signal });
      await writer.kv.put('w/a', 1);
      proxy.unstall();
      await waitFor('the watch to report the write made while its create was held back', () => fired > 0);
    } finally {
      watches.abort();
    }
  });
});
