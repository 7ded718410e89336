/**
 * Issue 10 case 4 (ZooKeeper), in process: every answer about holding is computed when asked.
 * A FakeClock jumps past the local deadline WITHOUT waking any timer (what a process resumed
 * after a freeze sees); `held()`, the term's `signal`, and the session's `lost` and `state`
 * must each say so at once, synchronously. Real standalone server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Leadership, Session } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import type { LeadershipEndedError } from '../../src/errors.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { waitFor } from '../support/wait.js';

const TIMING = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 });
/**
 * Real time any one test (or hook) may take, ms: each one opens a session and campaigns once
 * (well under a second unloaded). A wait on the fake clock that nobody advances would otherwise
 * hold the file until the runner's 180 s file timeout, reporting nothing useful.
 */
const TEST_TIMEOUT_MS = 30_000;
/** Real time the standalone server may take to start, ms: startStandalone waits up to 45 s for the JVM. */
const START_TIMEOUT_MS = 60_000;
/**
 * How long `after` may drive the fake clocks until every backend has closed, ms of real time:
 * a few probe round trips and closeSession answers on a loaded machine.
 */
const CLOSE_TIMEOUT_MS = 20_000;

describe('ZooKeeper: answers about holding check the deadline when asked', () => {
  let zk: StandaloneZooKeeper;
  const backends: Backend[] = [];

  before(async () => {
    zk = await startStandalone();
  }, { timeout: START_TIMEOUT_MS });
  const clocks: FakeClock[] = [];
  after(async () => {
    // A lost session closes its ZooKeeper session only at lastHeardAt + ttl on its clock, and
    // backend.close() waits for that. One advance is not enough: a probe sent while the clock
    // moves and answered late moves lastHeardAt on, so a session lost during the advance (the
    // last test's) is released beyond it. Keep advancing until every backend has closed.
    let closed = false;
    const closing = Promise.allSettled(backends.map((b) => b.close())).then(() => (closed = true));
    try {
      await waitFor('every backend to close while the fake clocks advance', async () => {
        for (const clock of clocks) await clock.advance(TIMING.ttlMs);
        return closed;
      }, { timeoutMs: CLOSE_TIMEOUT_MS });
      await closing;
    } finally {
      await zk?.close();
    }
  }, { timeout: TEST_TIMEOUT_MS });

  const leader = async (cluster: string): Promise<{ clock: FakeClock; backend: Backend; session: Session; held: Leadership }> => {
    const clock = new FakeClock(1_000);
    clocks.push(clock);
    const backend = await createZookeeperBackend({ connect: zk.connectString, cluster, clock });
    backends.push(backend);
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
    const held = await session.campaign('leader', {});
    assert.equal(held.held(), true);
    return { clock, backend, session, held };
  };

  const endedBy = (leadership: Leadership) => (leadership.signal.reason as LeadershipEndedError).reason;

  it('held() is false at once past the deadline, and the term and session end synchronously', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { clock, session, held } = await leader('held-now-1');
    clock.jump(TIMING.renewDeadlineMs);
    assert.equal(held.held(), false);
    assert.equal(endedBy(held), 'renew-deadline');
    assert.equal(session.state, 'lost');
  });

  it("the term's signal getter checks the deadline", { timeout: TEST_TIMEOUT_MS }, async () => {
    const { clock, held } = await leader('held-now-2');
    clock.jump(TIMING.renewDeadlineMs);
    assert.equal(held.signal.aborted, true);
    assert.equal(endedBy(held), 'renew-deadline');
  });

  it("the session's lost and state getters check the deadline", { timeout: TEST_TIMEOUT_MS }, async () => {
    const first = await leader('held-now-3');
    first.clock.jump(TIMING.renewDeadlineMs);
    assert.equal(first.session.lost.aborted, true);
    assert.equal(endedBy(first.held), 'renew-deadline');
    const second = await leader('held-now-4');
    second.clock.jump(TIMING.renewDeadlineMs);
    assert.equal(second.session.state, 'lost');
  });

  it('just before the deadline, everything still holds', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { clock, session, held } = await leader('held-now-5');
    clock.jump(TIMING.renewDeadlineMs / 2);
    assert.equal(held.held(), true);
    assert.equal(held.signal.aborted, false);
    assert.equal(session.lost.aborted, false);
    assert.equal(session.state, 'live');
  });

  it("closing the backend waits for a lost session's release at lastHeardAt + ttl, leaving no ZooKeeper session open", { timeout: TEST_TIMEOUT_MS }, async () => {
    const { clock, backend, session } = await leader('held-now-6');
    const observer = await createZookeeperBackend({ connect: zk.connectString, cluster: 'held-now-6' });
    backends.push(observer);
    clock.jump(TIMING.renewDeadlineMs);
    assert.equal(session.state, 'lost');
    let settled = false;
    // Read the members the moment close() resolves: by then the lost session must be closed.
    const closing = backend.close().then(() => observer.members());
    void closing.finally(() => (settled = true));
    // Half-second steps on the fake clock: releaseAt (lastHeardAt + ttlMs) is reached only after
    // (ttlMs - renewDeadlineMs) / 500 = 20 steps, while closing the shared connection alone
    // takes one round trip.
    await waitFor('the backend to close while its clock advances', async () => {
      await clock.advance(500);
      return settled;
    }, { timeoutMs: TEST_TIMEOUT_MS / 2 });
    assert.deepEqual((await closing).map((m) => m.nodeId), []);
  });
});
