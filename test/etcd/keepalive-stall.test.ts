/**
 * A keep-alive stall between the leader and its etcd member (a TCP proxy that stops forwarding,
 * connections left open): the leader's term ends when its keep-alive goes unanswered, its
 * session is lost at its local deadline, and only then, after the lease expired on the server,
 * does the waiting node lead. The old term's fenced writes are refused, both before anything is
 * sent (the term ended here) and by etcd itself (its candidate key went with the lease).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend, SessionTiming } from '../../src/contract/index.js';
import { createEtcdBackend, EtcdClient, EtcdLayout, ETCD_METHODS } from '../../src/backends/etcd/index.js';
import { fenceCompares } from '../../src/backends/etcd/etcd-kv.js';
import { LeadershipEndedError, isBatonError } from '../../src/errors.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitForAbort, withTimeout } from '../support/wait.js';
import { HoldMonitor } from './hold-monitor.js';

const TIMING: SessionTiming = Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 });
const ELECTION = 'stall';

describe('etcd: keep-alive stall between the leader and its member', () => {
  let etcd: EtcdCluster;
  let proxy: TcpProxy;
  let admin: EtcdClient;
  const backends: Backend[] = [];

  before(async () => {
    etcd = await startEtcd();
    proxy = await TcpProxy.start('127.0.0.1', etcd.members[0]?.clientPort ?? 0);
    admin = new EtcdClient({ endpoints: etcd.endpoints });
  });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    admin?.close();
    await proxy?.close();
    await etcd?.close();
  });

  it('the stalled leader stops before the lease can expire; the successor leads only after; the stale fence is refused', async () => {
    const stalled = await createEtcdBackend({ endpoints: [`127.0.0.1:${proxy.port}`], cluster: 'stall' });
    const other = await createEtcdBackend({ endpoints: etcd.endpoints, cluster: 'stall' });
    backends.push(stalled, other);
    const a = await stalled.openSession({ nodeId: 'a', info: {}, timing: TIMING });
    const b = await other.openSession({ nodeId: 'b', info: {}, timing: TIMING });
    const first = await a.campaign(ELECTION, { host: 'a' });
    await stalled.kv.put('owner', 'a', { fence: first.fence });
    const monitor = new HoldMonitor();
    monitor.add(first);
    const order: string[] = [];
    first.signal.addEventListener('abort', () => order.push('a term ended'));
    a.lost.addEventListener('abort', () => order.push('a session lost'));
    const waiting = b.campaign(ELECTION, { host: 'b' }).then((term) => {
      order.push('b leads');
      monitor.add(term);
      return term;
    });

    proxy.stall();
    await waitForAbort('the stalled term to end', first.signal, TIMING.renewDeadlineMs * 2);
    const reason = first.signal.reason as unknown;
    assert.ok(reason instanceof LeadershipEndedError && ['connection-lost', 'renew-deadline'].includes(reason.reason), String(reason));
    await assert.rejects(stalled.kv.put('owner', 'a again', { fence: first.fence }), (e: unknown) => isBatonError(e, 'FENCED'));
    const second = await withTimeout('b to lead after the lease expired', waiting, TIMING.ttlMs * 3);
    monitor.stop();
    assert.deepEqual(order, ['a term ended', 'a session lost', 'b leads']);
    assert.deepEqual(monitor.violations, []);
    assert.ok(second.term > first.term);

    // etcd refuses the old fence too: a's candidate key went with its lease.
    const layout = new EtcdLayout('/baton', 'stall');
    const key = Buffer.from(layout.kv('owner'));
    const stale = await admin.unary(ETCD_METHODS.txn, {
      compare: fenceCompares(layout.election(ELECTION), layout.candidate(ELECTION, a.id), first.term),
      success: [{ request_put: { key, value: Buffer.from('"a, stale"') } }],
    });
    assert.equal(stale['succeeded'], false);
    await other.kv.put('owner', 'b', { fence: second.fence });
    proxy.unstall();
    assert.equal((await other.kv.get('owner'))?.value, 'b');
  });
});
