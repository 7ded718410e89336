import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER_LEADER_ELECTION } from '../../../src/election/index.js';
import { isBatonError, LeadershipEndedError } from '../../../src/errors.js';
import { ElectorCluster } from './elector-fixture.js';

describe('LeaderElector: failover on a fake clock', () => {
  let cluster = new ElectorCluster();
  afterEach(async () => {
    await cluster.close();
    cluster = new ElectorCluster();
  });

  it('an isolated leader stops at its local deadline, before the store lets another take over', async () => {
    const { renewDeadlineMs, ttlMs } = cluster.timing;
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const term = a.elector.leadership();
    assert.ok(term !== null);
    const aSession = a.session;
    cluster.store.isolate(aSession.id);
    await cluster.clock.advance(renewDeadlineMs - 1);
    assert.ok(a.elector.isLeader(), 'stopped before its deadline');
    assert.deepEqual(a.recorded.stopped, []);
    await cluster.clock.advance(1);
    assert.deepEqual(a.recorded.stopped, [renewDeadlineMs], 'released at the local deadline');
    assert.ok(term.signal.aborted);
    assert.equal(a.elector.isLeader(), false);
    // The store still holds the old lease until ttl after the last renewal that reached it (t=0).
    await cluster.clock.advance(ttlMs - renewDeadlineMs - 1);
    assert.equal(b.recorded.started.length, 0, 'another node took over before the lease expired');
    await cluster.clock.advance(1);
    assert.deepEqual(b.recorded.started, [{ term: 2, at: ttlMs }]);
    const [stoppedAt] = a.recorded.stopped;
    const [startedB] = b.recorded.started;
    assert.ok(stoppedAt !== undefined && startedB !== undefined && stoppedAt < startedB.at, 'the old leader stopped first');
    // A's session is lost with it; A campaigns on a new session, behind B.
    assert.ok(aSession.lost.aborted);
    await cluster.clock.advance(ttlMs * 2);
    assert.equal(a.recorded.started.length, 1);
    assert.equal(a.recorded.stopped.length, 1);
    assert.equal(b.recorded.leaders.at(-1)?.nodeId, 'b');
  });

  it('a demoted leader whose session survived leads again after healing, with a higher term', async () => {
    const { renewDeadlineMs, ttlMs, retryPeriodMs } = cluster.timing;
    const a = await cluster.node('a');
    const first = a.elector.leadership();
    cluster.store.isolate(a.session.id, { leasesOnly: true });
    await cluster.clock.advance(renewDeadlineMs);
    assert.deepEqual(a.recorded.stopped, [renewDeadlineMs]);
    assert.ok(first?.signal.reason instanceof LeadershipEndedError && first.signal.reason.reason === 'renew-deadline');
    assert.equal(a.session.state, 'live');
    cluster.store.heal(a.session.id);
    // The stale lease is the store's until it expires (ttl after its last renewal at t=0).
    await cluster.clock.advance(ttlMs - renewDeadlineMs - 1);
    assert.equal(a.recorded.started.length, 1);
    await cluster.clock.advance(1 + retryPeriodMs);
    assert.deepEqual(a.recorded.started.map((s) => s.term), [1, 2]);
    assert.ok(a.elector.isLeader());
    assert.equal(a.elector.leader()?.term, 2);
  });

  it('a disturbed term ends on the next renewal; the elector campaigns again after retryPeriodMs', async () => {
    const { retryPeriodMs } = cluster.timing;
    const a = await cluster.node('a');
    cluster.store.disturbLeader('test', CLUSTER_LEADER_ELECTION);
    await cluster.clock.advance(retryPeriodMs);
    assert.deepEqual(a.recorded.stopped, [retryPeriodMs]);
    await cluster.clock.advance(retryPeriodMs - 1);
    assert.equal(a.recorded.started.length, 1, 'campaigned again before retryPeriodMs');
    await cluster.clock.advance(1);
    assert.deepEqual(a.recorded.started, [{ term: 1, at: 0 }, { term: 2, at: 2 * retryPeriodMs }]);
  });

  it('resign: another contender wins at once; the resigner campaigns again after retryPeriodMs', async () => {
    const { retryPeriodMs } = cluster.timing;
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    await a.elector.resign();
    assert.deepEqual(a.recorded.stopped, [0], 'resign resolved before released ran');
    assert.equal(a.elector.isLeader(), false);
    await cluster.settle();
    assert.deepEqual(b.recorded.started, [{ term: 2, at: 0 }]);
    await a.elector.resign();
    assert.equal(a.recorded.stopped.length, 1, 'resign while not leading must do nothing');
    await cluster.clock.advance(retryPeriodMs);
    await b.elector.close();
    await cluster.settle();
    assert.deepEqual(a.recorded.started.map((s) => s.term), [1, 3]);
    assert.equal(cluster.clock.now(), retryPeriodMs);
  });

  it('resign({ signal }) rejects with AbortedError once its signal aborts; a resign after it still hands over', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    await assert.rejects(a.elector.resign({ signal: AbortSignal.abort() }), (error: unknown) => isBatonError(error, 'ABORTED'));
    await a.elector.resign();
    assert.equal(a.elector.isLeader(), false);
    await cluster.settle();
    assert.deepEqual(a.recorded.stopped, [0]);
    assert.deepEqual(b.recorded.started, [{ term: 2, at: 0 }]);
  });

  it('close releases at once: a follower leads without any TTL passing', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const c = await cluster.node('c');
    await a.elector.close();
    await cluster.settle();
    assert.equal(cluster.clock.now(), 0);
    const leaders = [b, c].filter((n) => n.elector.isLeader());
    assert.equal(leaders.length, 1, 'exactly one follower leads');
    assert.equal(leaders[0]?.elector.leadership()?.term, 2);
    assert.equal(a.recorded.stopped.length, 1);
    assert.equal((await b.backend.leader(CLUSTER_LEADER_ELECTION))?.term, 2);
  });

  it('a lost session ends the term once; the elector campaigns again on a new session and leads once the other node is gone', async () => {
    const a = await cluster.node('a');
    const b = await cluster.node('b');
    const lost = a.session;
    cluster.store.expire(lost.id);
    await cluster.settle();
    assert.deepEqual(a.recorded.stopped, [0]);
    assert.deepEqual(a.recorded.reasons, ['lost']);
    assert.equal(b.recorded.started.length, 1, 'the store expiry released the lease');
    await cluster.clock.advance(cluster.timing.retryPeriodMs);
    assert.notEqual(a.session.id, lost.id, 'a new session');
    assert.ok(lost.lost.aborted);
    await b.elector.close();
    await cluster.settle();
    assert.equal(a.recorded.started.length, 2);
    assert.ok(a.elector.isLeader());
    assert.equal(a.elector.leadership()?.term, 3);
    assert.equal(a.elector.state, 'started');
    await a.elector.close();
    assert.deepEqual(a.recorded.reasons, ['lost', 'closed']);
  });

  it('k terms in one start: k released, whether closed while leading or not', async () => {
    const { retryPeriodMs } = cluster.timing;
    const a = await cluster.node('a');
    cluster.store.disturbLeader('test', CLUSTER_LEADER_ELECTION);
    await cluster.clock.advance(2 * retryPeriodMs);
    assert.equal(a.recorded.started.length, 2);
    const b = await cluster.node('b');
    cluster.store.disturbLeader('test', CLUSTER_LEADER_ELECTION);
    await cluster.settle();
    assert.equal(b.elector.isLeader(), true);
    await cluster.clock.advance(retryPeriodMs);
    assert.equal(a.elector.isLeader(), false);
    await a.elector.close();
    assert.deepEqual({ started: a.recorded.started.length, stopped: a.recorded.stopped.length }, { started: 2, stopped: 2 });
    await b.elector.close();
    assert.deepEqual({ started: b.recorded.started.length, stopped: b.recorded.stopped.length }, { started: 1, stopped: 1 });
  });
});
