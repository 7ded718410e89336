/**
 * Issue 10, cases 3 and 4 on the memory backend with a FakeClock:
 * - every answer about leading is judged on the monotonic clock when asked: a process resumed
 *   after a freeze (the clock jumps, no timer has run yet) answers "not leading" at once;
 * - `acquired` is never called with a term that ended before the campaign's answer was
 *   read, and such a term gets no `released` either.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { LeaderElector } from '../../../src/election/index.js';
import { ElectorCluster } from './elector-fixture.js';
import { oneSession } from '../../support/one-session.js';
import { slowCampaigns } from '../../support/slow-campaigns.js';

describe('LeaderElector: holding is judged when asked', () => {
  let cluster = new ElectorCluster();
  afterEach(async () => {
    await cluster.close();
    cluster = new ElectorCluster();
  });

  it('isLeader() is false at once after a freeze past the renew deadline, before any timer has run', async () => {
    const a = await cluster.node('a');
    const leadership = a.elector.leadership();
    assert.ok(leadership !== null && a.elector.isLeader());
    // Renewed at t=0; frozen until just before the deadline: still leading.
    cluster.clock.jump(cluster.timing.renewDeadlineMs - 1);
    assert.equal(a.elector.isLeader(), true);
    cluster.clock.jump(1);
    // No timer ran: the answers must come from the clock, not from a flag a timer flips.
    assert.equal(a.elector.isLeader(), false);
    assert.equal(a.elector.leadership(), null);
    assert.equal(leadership.held(), false);
    assert.equal(leadership.signal.aborted, true);
    assert.equal(a.session.lost.aborted, true);
    assert.equal(a.session.state, 'lost');
    assert.deepEqual(a.recorded.stopped, [], 'the stop callback runs on the event loop, not inside the getter');
    await cluster.settle();
    assert.equal(a.recorded.stopped.length, 1);
  });

  it('a term whose own deadline passed (session still live) reads as over before its timer runs', async () => {
    const a = await cluster.node('a');
    const leadership = a.elector.leadership();
    assert.ok(leadership !== null);
    // The lease's renewals fail while the session's succeed: the term ends at its own deadline.
    cluster.store.isolate(a.session.id, { leasesOnly: true });
    await cluster.clock.advance(cluster.timing.renewDeadlineMs - 1);
    assert.equal(a.elector.isLeader(), true);
    cluster.clock.jump(1);
    assert.equal(leadership.signal.aborted, true, 'the signal getter judges the deadline');
    assert.equal(a.elector.isLeader(), false);
    assert.equal(a.session.state, 'live');
    await cluster.settle();
    assert.equal(a.recorded.stopped.length, 1);
  });

  it('acquired is never called with a term that ended before the campaign answered (no released for it)', async () => {
    const backend = cluster.store.backend('test');
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: cluster.timing });
    const slow = slowCampaigns(session);
    const started: Array<{ term: number; held: boolean; aborted: boolean }> = [];
    let stopped = 0;
    const elector = new LeaderElector({ backend, sessions: oneSession(slow.session), clock: cluster.clock });
    elector.on('acquired', (held) => void started.push({ term: held.token, held: elector.leadership()?.held() ?? false, aborted: held.signal.aborted }));
    elector.on('released', () => void stopped++);
    try {
      cluster.store.isolate(session.id, { leasesOnly: true });
      elector.start();
      await cluster.settle();
      assert.equal(slow.held, 1, 'the take landed; its answer is held back');
      // The pause: longer than renewDeadlineMs between the take and reading its answer.
      await cluster.clock.advance(cluster.timing.renewDeadlineMs);
      slow.release();
      await cluster.settle();
      assert.deepEqual(started, [], 'no acquired with an ended term');
      assert.equal(stopped, 0, 'a term never announced is never stopped');
      assert.equal(elector.isLeader(), false);
      // The store lets the old lease expire (ttl after its last renewal), then the elector wins anew.
      cluster.store.heal(session.id);
      await cluster.clock.advance(cluster.timing.ttlMs);
      slow.release();
      await cluster.settle();
      assert.deepEqual(started, [{ term: 2, held: true, aborted: false }]);
      assert.equal(elector.isLeader(), true);
      assert.equal(stopped, 0);
    } finally {
      await elector.close();
      await backend.close();
    }
    assert.equal(stopped, 1, 'one announced term, stopped while leading: one call');
  });
});
