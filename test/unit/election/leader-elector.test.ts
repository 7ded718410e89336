import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createStandaloneBackend } from '../../../src/backends/memory/index.js';
import { CLUSTER_LEADER_ELECTION, LeaderElector } from '../../../src/election/index.js';
import { ConfigError, isBatonError } from '../../../src/errors.js';
import { withTimeout } from '../../support/wait.js';
import { track } from '../../contract/contract-context.js';
import { ElectorCluster } from './elector-fixture.js';

describe('LeaderElector: lifecycle and callbacks', () => {
  let cluster = new ElectorCluster();
  afterEach(async () => {
    await cluster.close();
    cluster = new ElectorCluster();
  });

  it('the first node leads at once; listeners run exactly once for a term that ends at close', async () => {
    const a = await cluster.node('a');
    assert.deepEqual(a.recorded.started, [{ term: 1, at: 0 }]);
    assert.ok(a.elector.isLeader());
    assert.equal(a.elector.leadership()?.term, 1);
    assert.deepEqual(a.elector.leader() && { nodeId: a.elector.leader()?.nodeId, term: a.elector.leader()?.term }, { nodeId: 'a', term: 1 });
    assert.equal(a.elector.state, 'started');
    await a.elector.close();
    assert.equal(a.elector.state, 'closed');
    assert.deepEqual(a.recorded.stopped, [0]);
    assert.deepEqual(a.recorded.reasons, ['closed']);
    assert.equal(a.recorded.started.length, 1);
    assert.equal(a.elector.isLeader(), false);
  });

  it('a start that never led gets no released (released pairs with acquired)', async () => {
    await cluster.node('a');
    const b = await cluster.node('b');
    await cluster.clock.advance(cluster.timing.ttlMs * 2);
    assert.deepEqual(b.recorded.started, []);
    assert.deepEqual(b.recorded.stopped, []);
    await b.elector.close();
    await b.elector.close();
    assert.deepEqual(b.recorded.stopped, []);
  });

  it('unknown event names are refused; a listener can be removed', async () => {
    const a = await cluster.node('a', false);
    const on = a.elector.on.bind(a.elector) as (event: string, listener: () => void) => () => void;
    for (const name of ['onStartedLeading', 'aquired', 'started', 'stopped']) {
      assert.throws(() => on(name, () => undefined), (e: unknown) => isBatonError(e, 'INVALID_ARGUMENT') && /acquired, released, leader/.test((e as Error).message), name);
    }
    let calls = 0;
    const off = a.elector.on('acquired', () => void calls++);
    off();
    a.elector.start();
    await cluster.settle();
    assert.ok(a.elector.isLeader());
    assert.equal(calls, 0);
  });

  it('the leader listener is called only when the leader changes, including to null', async () => {
    const a = await cluster.node('a');
    assert.deepEqual(a.recorded.leaders, [{ nodeId: 'a', term: 1 }]);
    // A hint without a change (same holder and term) must not call it again.
    cluster.store.writeRawLeaderInfo('test', CLUSTER_LEADER_ELECTION, JSON.stringify({ host: 'a', port: 1 }));
    await cluster.settle();
    assert.equal(a.recorded.leaders.length, 1);
    assert.deepEqual(a.elector.leader()?.info, { host: 'a', port: 1 });
    await a.elector.resign();
    await cluster.settle();
    assert.deepEqual(a.recorded.leaders, [{ nodeId: 'a', term: 1 }, null]);
    await cluster.clock.advance(cluster.timing.retryPeriodMs);
    assert.deepEqual(a.recorded.leaders, [{ nodeId: 'a', term: 1 }, null, { nodeId: 'a', term: 2 }]);
    assert.equal(a.elector.leadershipChanges, 3);
    assert.deepEqual(a.recorded.started.map((s) => s.term), [1, 2]);
    assert.deepEqual(a.recorded.reasons, ['moved']);
  });

  it('a corrupt leader document is logged and retried, never crashes the elector', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    cluster.store.writeRawLeaderInfo('test', CLUSTER_LEADER_ELECTION, '{"host": ');
    await cluster.clock.advance(cluster.timing.retryPeriodMs * 3);
    assert.equal(b.elector.state, 'started');
    assert.deepEqual(b.elector.leader() && b.elector.leader()?.nodeId, 'a');
    cluster.store.writeRawLeaderInfo('test', CLUSTER_LEADER_ELECTION, '{"host": "a2"}');
    await cluster.clock.advance(cluster.timing.retryPeriodMs);
    assert.deepEqual(b.elector.leader()?.info, { host: 'a2' });
    assert.ok(a.elector.isLeader());
  });

  it('start twice rejects StateError; use after close rejects ClosedError', async () => {
    const a = await cluster.node('a');
    assert.throws(() => a.elector.start(), (e: unknown) => isBatonError(e, 'STATE'));
    await a.elector.close();
    assert.throws(() => a.elector.start(), (e: unknown) => isBatonError(e, 'CLOSED'));
    await assert.rejects(a.elector.resign(), (e: unknown) => isBatonError(e, 'CLOSED'));
    await assert.rejects(a.elector.whenLeader(), (e: unknown) => isBatonError(e, 'CLOSED'));
    const latent = await cluster.node('b', false);
    assert.equal(latent.elector.state, 'latent');
    await latent.elector.close();
    assert.equal(latent.elector.state, 'closed');
    assert.deepEqual(latent.recorded.stopped, [], 'a never-started elector must not report a stop');
  });

  it('invalid timing rejects ConfigError naming the field', async () => {
    const { backend } = await cluster.node('a', false);
    const bad = [
      [{ ttlMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 }, 'election.renewDeadlineMs'],
      [{ ttlMs: 15_000, renewDeadlineMs: 2_000, retryPeriodMs: 2_000, pollIntervalMs: 500 }, 'election.retryPeriodMs'],
      [{ ttlMs: -1, renewDeadlineMs: 2_000, retryPeriodMs: 500, pollIntervalMs: 500 }, 'election.ttlMs'],
    ] as const;
    for (const [timing, key] of bad) {
      assert.throws(
        () => new LeaderElector({ backend, nodeId: 'x', info: {}, timing }),
        (e: unknown) => e instanceof ConfigError && e.key === key,
        key,
      );
    }
  });
});

describe('LeaderElector: whenLeader', () => {
  let cluster = new ElectorCluster();
  afterEach(async () => {
    await cluster.close();
    cluster = new ElectorCluster();
  });

  it('resolves at once when leading, later when elected; rejects on abort and on close', async () => {
    const a = await cluster.node('a');
    assert.equal((await a.elector.whenLeader()).term, 1);
    const b = await cluster.node('b');
    const waiting = track(b.elector.whenLeader());
    const stop = new AbortController();
    const aborted = track(b.elector.whenLeader({ signal: stop.signal }));
    await assert.rejects(b.elector.whenLeader({ signal: AbortSignal.abort() }), (e: unknown) => isBatonError(e, 'ABORTED'));
    stop.abort();
    await assert.rejects(aborted.promise, (e: unknown) => isBatonError(e, 'ABORTED'));
    assert.equal(waiting.settled, false);
    await a.elector.close();
    await cluster.settle();
    assert.equal((await waiting.promise).term, 2);
    const c = await cluster.node('c');
    const pending = track(c.elector.whenLeader());
    await c.elector.close();
    await assert.rejects(pending.promise, (e: unknown) => isBatonError(e, 'CLOSED'));
  });

  it('waits across a lost session: resolves with a term won on the next session', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const lost = b.session;
    const pending = track(b.elector.whenLeader());
    cluster.store.expire(lost.id);
    await cluster.settle();
    assert.equal(pending.settled, false);
    await a.elector.close();
    await cluster.clock.advance(cluster.timing.retryPeriodMs);
    const term = await withTimeout('b leads on a new session', pending.promise);
    assert.notEqual(b.session.id, lost.id);
    assert.equal(term.term, 2);
  });
});

describe('LeaderElector: standalone', () => {
  it('leads at once with term 1 on the standalone backend', async () => {
    const backend = createStandaloneBackend('solo');
    const elector = new LeaderElector({ backend, nodeId: 'only', info: { host: 'only' } });
    try {
      elector.start();
      const leadership = await withTimeout('standalone leadership', elector.whenLeader(), 5_000);
      assert.equal(leadership.term, 1);
      assert.equal((await backend.leader(CLUSTER_LEADER_ELECTION))?.nodeId, 'only');
    } finally {
      await elector.close();
      await backend.close();
    }
  });
});
