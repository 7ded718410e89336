/**
 * Issue 10 case 4 (ZooKeeper), in process: every answer about holding is computed when asked.
 * A FakeClock jumps past the local deadline WITHOUT waking any timer (what a process resumed
 * after a freeze sees); `held()`, the term's `signal`, and the session's `lost` and `state`
 * must each say so at once, synchronously. Real standalone server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Leadership, Session } from '../../src/backend/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import type { LeadershipEndedError } from '../../src/errors.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

const TIMING = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 });

describe('ZooKeeper: answers about holding check the deadline when asked', () => {
  let zk: StandaloneZooKeeper;
  const backends: Backend[] = [];

  before(async () => {
    zk = await startStandalone();
  });
  const clocks: FakeClock[] = [];
  after(async () => {
    // A lost session closes its ZooKeeper session only at lastHeardAt + ttl, on its clock.
    for (const clock of clocks) await clock.advance(TIMING.ttlMs);
    await Promise.allSettled(backends.map((b) => b.close()));
    await zk?.close();
  });

  const leader = async (cluster: string): Promise<{ clock: FakeClock; session: Session; held: Leadership }> => {
    const clock = new FakeClock(1_000);
    clocks.push(clock);
    const backend = await createZookeeperBackend({ connect: zk.connectString, cluster, clock });
    backends.push(backend);
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
    const held = await session.campaign('leader', {});
    assert.equal(held.held(), true);
    return { clock, session, held };
  };

  const endedBy = (leadership: Leadership) => (leadership.signal.reason as LeadershipEndedError).reason;

  it('held() is false at once past the deadline, and the term and session end synchronously', async () => {
    const { clock, session, held } = await leader('held-now-1');
    clock.jump(TIMING.renewDeadlineMs);
    assert.equal(held.held(), false);
    assert.equal(endedBy(held), 'renew-deadline');
    assert.equal(session.state, 'lost');
  });

  it("the term's signal getter checks the deadline", async () => {
    const { clock, held } = await leader('held-now-2');
    clock.jump(TIMING.renewDeadlineMs);
    assert.equal(held.signal.aborted, true);
    assert.equal(endedBy(held), 'renew-deadline');
  });

  it("the session's lost and state getters check the deadline", async () => {
    const first = await leader('held-now-3');
    first.clock.jump(TIMING.renewDeadlineMs);
    assert.equal(first.session.lost.aborted, true);
    assert.equal(endedBy(first.held), 'renew-deadline');
    const second = await leader('held-now-4');
    second.clock.jump(TIMING.renewDeadlineMs);
    assert.equal(second.session.state, 'lost');
  });

  it('just before the deadline, everything still holds', async () => {
    const { clock, session, held } = await leader('held-now-5');
    clock.jump(TIMING.renewDeadlineMs / 2);
    assert.equal(held.held(), true);
    assert.equal(held.signal.aborted, false);
    assert.equal(session.lost.aborted, false);
    assert.equal(session.state, 'live');
  });
});
