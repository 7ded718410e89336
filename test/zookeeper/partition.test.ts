/**
 * A leader cut off from ZooKeeper (its TCP connection dropped by a proxy for longer than the
 * session timeout) stops acting as soon as its connection drops, and its session is lost by
 * its own deadline, before the server expires it;
 * the successor leads only after that expiry. Leadership intervals are recorded on the
 * monotonic clock of this one process (both nodes live here), so they can be compared.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Leadership } from '../../src/contract/index.js';
import { createZookeeperBackend, ZkClient, ZooKeeperError } from '../../src/backends/zookeeper/index.js';
import { LeadershipEndedError, isBatonError } from '../../src/errors.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor, waitForAbort, withTimeout } from '../support/wait.js';
import { startStandalone, TICK_MS, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

const TIMING = Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 });
const ELECTION = 'cluster-leader';

interface Interval {
  start: number;
  end: number;
}

describe('ZooKeeper: leader partitioned from the ensemble', () => {
  let zk: StandaloneZooKeeper;
  let proxy: TcpProxy;
  const backends: Backend[] = [];

  before(async () => {
    zk = await startStandalone();
    const port = Number(zk.connectString.split(':')[1]);
    proxy = await TcpProxy.start('127.0.0.1', port);
  });
  after(async () => {
    proxy?.restore();
    await Promise.allSettled(backends.map((b) => b.close()));
    await proxy?.close();
    await zk?.close();
  });

  const open = async (connect: string, cluster = 'partition') => {
    const backend = await createZookeeperBackend({ connect, cluster });
    backends.push(backend);
    return backend;
  };

  it('the cut-off leader stops by its local deadline; the successor leads only after expiry; no overlap', async () => {
    const a = await open(`127.0.0.1:${proxy.port}`);
    const b = await open(zk.connectString);
    const sa = await a.openSession({ nodeId: 'a', info: { host: 'a' }, timing: TIMING });
    const sb = await b.openSession({ nodeId: 'b', info: { host: 'b' }, timing: TIMING });
    const intervals: Record<'a' | 'b', Interval> = { a: { start: 0, end: Infinity }, b: { start: Infinity, end: Infinity } };

    const first = await sa.campaign(ELECTION, { host: 'a' });
    intervals.a.start = performance.now();
    first.signal.addEventListener('abort', () => (intervals.a.end = performance.now()), { once: true });
    const successor = sb.campaign(ELECTION, { host: 'b' }).then((leadership: Leadership) => {
      intervals.b.start = performance.now();
      return leadership;
    });

    const states: string[] = [];
    const watching = new AbortController();
    sa.onStateChange((state) => states.push(state), { signal: watching.signal });
    const cutAt = performance.now();
    proxy.cut();
    await waitForAbort("the cut-off leader's term to end", first.signal, TIMING.ttlMs * 2);
    const reason = first.signal.reason as unknown;
    assert.ok(reason instanceof LeadershipEndedError, `abort reason ${String(reason)}`);
    assert.equal(reason.reason, 'connection-lost', 'ended as soon as the connection dropped, not by hearing of the expiry');
    await waitForAbort('the session to be lost by its local deadline', sa.lost, TIMING.ttlMs * 2);
    assert.equal(sa.state, 'lost');
    assert.deepEqual(states, ['suspended', 'lost'], 'suspended while cut off, then lost at the deadline');
    watching.abort();
    assert.ok(isBatonError(sa.lost.reason, 'SESSION_LOST'));
    assert.equal(intervals.b.start, Infinity, 'the successor must not lead before the old leader stopped');

    const second = await withTimeout('the successor', successor, TIMING.ttlMs * 3);
    assert.ok(second.term > first.term, `term ${second.term} after ${first.term}`);
    assert.ok(intervals.a.end <= intervals.b.start, `overlap: a ended ${intervals.a.end}, b started ${intervals.b.start}`);
    // The server heard from a at most one probe period before the cut and expires sessions on
    // tick boundaries: b cannot have led before that expiry.
    const earliestExpiry = cutAt + TIMING.ttlMs - TIMING.retryPeriodMs - TICK_MS;
    assert.ok(intervals.b.start >= earliestExpiry, `b led ${Math.round(earliestExpiry - intervals.b.start)} ms before a's session could expire`);
    assert.ok(intervals.a.end < earliestExpiry, 'a stopped before its session could expire on the server');

    // The stale leader, reconnected, cannot write with its old fence; nothing lands.
    proxy.restore();
    await b.kv.put('owner', 'b', { fence: second.fence });
    await assert.rejects(a.kv.put('owner', 'a', { fence: first.fence }), (e: unknown) => isBatonError(e, 'FENCED'));
    assert.equal((await b.kv.get('owner'))?.value, 'b');
  });

  it('a client whose session expired during a cut says so, then refuses calls as closed once closed', async () => {
    const direct = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: 10_000 });
    const cutOff = await ZkClient.connect({ connect: `127.0.0.1:${proxy.port}`, sessionTimeoutMs: 1_500 });
    try {
      await cutOff.create('/expiring', null, { mode: 'ephemeral' });
      proxy.cut();
      await waitFor('the server to expire the session', async () => (await direct.exists('/expiring')) === null, { timeoutMs: 10_000, intervalMs: 100 });
      proxy.restore();
      await waitForAbort('the client to hear of the expiry', cutOff.ended, 10_000);
      assert.equal(cutOff.state, 'expired');
      await assert.rejects(cutOff.exists('/'), (e: unknown) => e instanceof ZooKeeperError && e.zkCode === 'SESSION_EXPIRED');
      await cutOff.close();
      assert.equal(cutOff.state, 'closed');
      await assert.rejects(cutOff.exists('/'), (e: unknown) => isBatonError(e, 'CLOSED'));
    } finally {
      proxy.restore();
      await cutOff.close();
      await direct.close();
    }
  });

  it("after a partition longer than the shared connection's session, watches are set again on a new one", async () => {
    // The shared connection's session (1.5 s) ends well before the member's (3 s): once the
    // member is gone on the server, the shared session has expired too.
    const w = await createZookeeperBackend({ connect: `127.0.0.1:${proxy.port}`, cluster: 'rewatch', sharedSessionTimeoutMs: 1_500 });
    backends.push(w);
    const writer = await open(zk.connectString, 'rewatch');
    await w.openSession({ nodeId: 'w', info: {}, timing: { ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 } });
    let fired = 0;
    const watch = new AbortController();
    w.kv.watch('w/', () => fired++, { signal: watch.signal });
    try {
      await writer.kv.put('w/before', 1);
      await waitFor('the watch before the cut', () => fired > 0);
      proxy.cut();
      await waitFor("the cut-off member's session to expire", async () => (await writer.members()).length === 0, { timeoutMs: 10_000, intervalMs: 100 });
      proxy.restore();
      await waitFor('reads through a new shared session', () => w.kv.get('w/before').then((e) => e?.value === 1, () => false), { timeoutMs: 10_000 });
      const before = fired;
      await writer.kv.put('w/after', 2);
      await waitFor('the watch after the new session', () => fired > before, { timeoutMs: 5_000 });
    } finally {
      proxy.restore();
      watch.abort();
    }
  });
});
