/**
 * The memory backend judges holding when asked (contract: `held()`, the `signal` getter,
 * `Session.lost` and `Session.state`), on its injected clock: a FakeClock moved past a deadline
 * without running any timer (a process resumed after a freeze) reads as over at once. A term
 * that ended that way is left to expire in the store (safety model 3).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Backend } from '../../../src/contract/index.js';
import { LeadershipEndedError, SessionLostError } from '../../../src/errors.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

const { ttlMs, renewDeadlineMs, retryPeriodMs } = DEFAULT_TIMING;
const E = 'leader';

describe('memory backend: holding judged on the clock when asked', () => {
  let clock = new FakeClock();
  let store = new MemoryStore({ clock });
  let backends: Backend[] = [];
  const open = async (nodeId: string) => {
    const backend = store.backend('t');
    backends.push(backend);
    const session = await backend.openSession({ nodeId, info: {}, timing: DEFAULT_TIMING });
    return { backend, session };
  };
  afterEach(async () => {
    for (const backend of backends) await backend.close();
    backends = [];
    clock = new FakeClock();
    store = new MemoryStore({ clock });
  });

  it('a jump past the session deadline: lost, state, held() and signal all read as over at once', async () => {
    const { session } = await open('a');
    const leadership = await session.campaign(E, {});
    await clock.advance(retryPeriodMs); // one renewal at t=2000: the deadline is 2000 + renewDeadlineMs
    clock.jump(renewDeadlineMs - 1);
    assert.equal(leadership.held(), true);
    assert.equal(session.state, 'live');
    clock.jump(1);
    assert.equal(session.state, 'lost');
    assert.ok(session.lost.aborted);
    assert.ok(session.lost.reason instanceof SessionLostError);
    assert.equal(leadership.held(), false);
    assert.ok(leadership.signal.reason instanceof LeadershipEndedError);
    assert.equal((leadership.signal.reason as LeadershipEndedError).reason, 'session-lost');
  });

  it('each getter alone ends the session: held(), signal, lost and state', async () => {
    const reads: Array<[string, (s: Awaited<ReturnType<typeof open>>['session'], l: { held(): boolean; signal: AbortSignal }) => boolean]> = [
      ['held()', (_s, l) => !l.held()],
      ['signal', (_s, l) => l.signal.aborted],
      ['lost', (s) => s.lost.aborted],
      ['state', (s) => s.state === 'lost'],
    ];
    for (const [index, [name, read]] of reads.entries()) {
      const { session } = await open(`n${index}`);
      const leadership = await session.campaign(`${E}-${index}`, {});
      clock.jump(renewDeadlineMs);
      assert.equal(read(session, leadership), true, `${name} reads as over`);
      assert.equal(leadership.held(), false);
      assert.equal(session.state, 'lost');
      await clock.advance(0);
    }
  });

  it('a term past its own deadline ends with reason renew-deadline while the session stays live', async () => {
    const { session } = await open('a');
    const leadership = await session.campaign(E, {});
    store.isolate(session.id, { leasesOnly: true });
    await clock.advance(renewDeadlineMs - 1);
    assert.equal(leadership.held(), true);
    clock.jump(1);
    assert.equal(leadership.signal.aborted, true);
    assert.equal((leadership.signal.reason as LeadershipEndedError).reason, 'renew-deadline');
    assert.equal(session.state, 'live');
  });

  it('a term over by its deadline is left to expire: resign and close release nothing early', async () => {
    const { backend, session } = await open('a');
    const leadership = await session.campaign(E, {});
    clock.jump(renewDeadlineMs);
    assert.equal(leadership.held(), false);
    await leadership.resign();
    await backend.close();
    const { session: other } = await open('b');
    const watcher = store.backend('t');
    backends.push(watcher);
    assert.equal((await watcher.leader(E))?.sessionId, session.id, 'still held in the store after resign and close');
    const won = other.campaign(E, {});
    // The lease was acquired at t=0 and never renewed: the store drops it at ttlMs.
    await clock.advance(ttlMs - renewDeadlineMs - 1);
    assert.equal((await watcher.leader(E))?.sessionId, session.id);
    await clock.advance(1);
    assert.equal((await won).term, 2);
  });

  it('a resign while the term is held releases at once', async () => {
    const { session } = await open('a');
    const watcher = store.backend('t');
    backends.push(watcher);
    const leadership = await session.campaign(E, {});
    await leadership.resign();
    assert.equal(await watcher.leader(E), null);
  });
});
