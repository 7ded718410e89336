/**
 * Every answer about holding is computed when asked (issue 10 case 4, on etcd, in process): a
 * FakeClock jumps past the local deadline WITHOUT waking any timer (what a process resumed after
 * a freeze sees); `held()`, the term's `signal`, and the session's `lost` and `state` must each
 * say so at once, synchronously. Real etcd member.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend, Leadership, Session } from '../../src/contract/index.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import type { LeadershipEndedError } from '../../src/errors.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';

const TIMING = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 });

describe('etcd: answers about holding check the deadline when asked', () => {
  let etcd: EtcdCluster;
  const backends: Backend[] = [];

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    await etcd?.close();
  });

  const leader = async (cluster: string): Promise<{ clock: FakeClock; session: Session; held: Leadership }> => {
    const clock = new FakeClock(1_000);
    const backend = await createEtcdBackend({ endpoints: etcd.endpoints, cluster, clock });
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

  it("the term's signal and the session's lost getters check the deadline", async () => {
    const first = await leader('held-now-2');
    first.clock.jump(TIMING.renewDeadlineMs);
    assert.equal(first.held.signal.aborted, true);
    const second = await leader('held-now-3');
    second.clock.jump(TIMING.renewDeadlineMs);
    assert.equal(second.session.lost.aborted, true);
    assert.equal(endedBy(second.held), 'renew-deadline');
  });

  it('just before the deadline, everything still holds', async () => {
    const { clock, session, held } = await leader('held-now-4');
    clock.jump(TIMING.renewDeadlineMs - 1);
    assert.equal(held.held(), true);
    assert.equal(held.signal.aborted, false);
    assert.equal(session.lost.aborted, false);
    assert.equal(session.state, 'live');
  });
});
