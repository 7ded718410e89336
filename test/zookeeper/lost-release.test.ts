/**
 * Issue 10 case 2 (ZooKeeper): a term that ends by its renew deadline must not hand its role to
 * a successor while the old holder's stop callback still runs. ZooKeeper expires the session
 * `ttlMs` after it last heard from the holder; that margin (ttlMs - renewDeadlineMs) is what the
 * stop callback has. Closing the session at the loss (deleting the candidate at once) takes it
 * away. Real standalone server, both contenders in this process, one clock (performance.now()).
 *
 * The fault is a freeze of this process (a synchronous busy loop, as a long GC pause or a VM
 * stall would do) that outlasts the holder's renew deadline but not its ttl: the connection
 * stays up, so whatever the holder sends after resuming reaches the server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Leadership } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import type { LeadershipEndedError } from '../../src/errors.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor, waitForAbort, withTimeout } from '../support/wait.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/** The holder: margin ttl - renewDeadline = 4 s for its stop callback. */
const HOLDER = Object.freeze({ ttlMs: 6_000, renewDeadlineMs: 2_000, retryPeriodMs: 300, pollIntervalMs: 100 });
/** The contender: a deadline far beyond the freeze, so only the holder is lost by it. */
const CONTENDER = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 12_000, retryPeriodMs: 1_000, pollIntervalMs: 100 });
/** How long the freeze lasts, ms: past the holder's renew deadline, well inside its ttl. */
const FREEZE_MS = HOLDER.renewDeadlineMs + 500;
/**
 * How long the holder's stop callback works after its term ended, ms: inside the margin that is
 * left once the freeze is over (ttl - freeze - one probe period), so the safety model covers it.
 */
const STOP_WORK_MS = HOLDER.ttlMs - FREEZE_MS - HOLDER.retryPeriodMs - 1_500;

describe('ZooKeeper: a term lost by its deadline is left to expire', () => {
  let zk: StandaloneZooKeeper;
  const backends: Backend[] = [];

  before(async () => {
    zk = await startStandalone();
  });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    await zk?.close();
  });

  const open = async (connect = zk.connectString) => {
    const backend = await createZookeeperBackend({ connect, cluster: 'lost-release' });
    backends.push(backend);
    return backend;
  };

  it("the successor starts only after the old holder's stop callback finished", async () => {
    assert.ok(STOP_WORK_MS > 500, 'the stop callback must take a visible while');
    const [a, b] = [await open(), await open()];
    let probes = 0;
    const sa = await a.openSession({ nodeId: 'a', info: {}, timing: HOLDER, onRenewal: (_latency, ok) => void (ok && probes++) });
    const sb = await b.openSession({ nodeId: 'b', info: {}, timing: CONTENDER });
    const held = await sa.campaign('leader', {});
    // The holder's stop callback: starts when the term ends, works STOP_WORK_MS (real time).
    let stopDoneAt = Number.POSITIVE_INFINITY;
    held.signal.addEventListener('abort', () => void setTimeout(() => (stopDoneAt = performance.now()), STOP_WORK_MS), { once: true });
    let bStartedAt = Number.POSITIVE_INFINITY;
    const successor = sb.campaign('leader', {}).then((l) => {
      bStartedAt = performance.now();
      return l;
    });
    // Let a probe land so the freeze starts from a fresh lastHeardAt, then freeze.
    const seen = probes;
    await waitFor('a probe after the campaign', () => probes > seen);
    const frozenUntil = performance.now() + FREEZE_MS;
    while (performance.now() < frozenUntil) {
      // frozen: no timer, no socket event runs
    }
    assert.equal(held.held(), false, 'the holder must know at once that its deadline passed');
    assert.equal((held.signal.reason as LeadershipEndedError).reason, 'renew-deadline');

    await withTimeout('the successor', successor, HOLDER.ttlMs * 3);
    assert.ok(
      bStartedAt >= stopDoneAt,
      Number.isFinite(stopDoneAt)
        ? `the successor started ${Math.round(stopDoneAt - bStartedAt)} ms before the old holder's stop callback finished`
        : "the successor started while the old holder's stop callback was still running",
    );
  });

  it('a term ended by a lost connection keeps its candidate until the session could have expired; the session lives on', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(zk.connectString.split(':')[1]));
    after(() => proxy.close());
    const [a, b] = [await open(`127.0.0.1:${proxy.port}`), await open()];
    const sa = await a.openSession({ nodeId: 'a2', info: {}, timing: HOLDER });
    const sb = await b.openSession({ nodeId: 'b2', info: {}, timing: CONTENDER });
    const held = await sa.campaign('leader-2', {});
    let stopDoneAt = Number.POSITIVE_INFINITY;
    held.signal.addEventListener('abort', () => void setTimeout(() => (stopDoneAt = performance.now()), STOP_WORK_MS), { once: true });
    let bStartedAt = Number.POSITIVE_INFINITY;
    const successor = sb.campaign('leader-2', {}).then((l) => {
      bStartedAt = performance.now();
      return l;
    });

    const cutAt = performance.now();
    proxy.cut();
    proxy.restore();
    await waitForAbort('the term to end as the connection drops', held.signal, HOLDER.renewDeadlineMs);
    assert.equal((held.signal.reason as LeadershipEndedError).reason, 'connection-lost');
    await waitFor('the session to reconnect', () => sa.state === 'live', { timeoutMs: HOLDER.renewDeadlineMs });

    await withTimeout('the successor', successor, HOLDER.ttlMs * 3);
    assert.ok(bStartedAt >= stopDoneAt, "the successor started while the old holder's stop callback was still running");
    // The candidate went at lastHeardAt + ttl; lastHeardAt was at most one probe period (and a
    // probe's round trip) before the cut.
    assert.ok(bStartedAt >= cutAt + HOLDER.ttlMs - HOLDER.retryPeriodMs - 500, `released ${Math.round(cutAt + HOLDER.ttlMs - bStartedAt)} ms early`);
    assert.equal(sa.state, 'live', 'the session itself lives on');
    await successor.then((l) => l.resign());
  });

  it('a campaign started as soon as the term ended waits for the deferred release too', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(zk.connectString.split(':')[1]));
    after(() => proxy.close());
    const a = await open(`127.0.0.1:${proxy.port}`);
    const sa = await a.openSession({ nodeId: 'a3', info: {}, timing: HOLDER });
    const held = await sa.campaign('leader-3', {});
    let again: Promise<Leadership> | undefined;
    // What an eager elector might do: campaign again as soon as it hears that the term ended.
    held.signal.addEventListener('abort', () => queueMicrotask(() => (again = sa.campaign('leader-3', {}))), { once: true });
    const cutAt = performance.now();
    proxy.cut();
    proxy.restore();
    await waitForAbort('the term to end as the connection drops', held.signal, HOLDER.renewDeadlineMs);
    assert.ok(again, 'the listener ran');
    const next = await withTimeout('the new term', again, HOLDER.ttlMs * 3);
    const nextAt = performance.now();
    assert.ok(nextAt >= cutAt + HOLDER.ttlMs - HOLDER.retryPeriodMs - 500, `the old candidate was released ${Math.round(cutAt + HOLDER.ttlMs - nextAt)} ms early`);
    assert.ok(next.term > held.term);
    await next.resign();
  });
});
