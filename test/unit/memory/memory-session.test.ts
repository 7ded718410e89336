import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Backend } from '../../../src/contract/index.js';
import { LeadershipEndedError, SessionLostError, isBatonError } from '../../../src/errors.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { track } from '../../contract/contract-context.js';

const { ttlMs, renewDeadlineMs, retryPeriodMs } = DEFAULT_TIMING;
const E = 'leader';

describe('memory session timing on a fake clock', () => {
  let clock = new FakeClock();
  let store = new MemoryStore({ clock });
  let backends: Backend[] = [];
  const open = async (nodeId: string, onRenewal?: (latencyMs: number, ok: boolean) => void) => {
    const backend = store.backend('t');
    backends.push(backend);
    const session = await backend.openSession({ nodeId, info: { host: nodeId }, timing: DEFAULT_TIMING, ...(onRenewal ? { onRenewal } : {}) });
    return { backend, session };
  };
  const observer = () => {
    const backend = store.backend('t');
    backends.push(backend);
    return backend;
  };
  afterEach(async () => {
    for (const backend of backends) await backend.close();
    backends = [];
    clock = new FakeClock();
    store = new MemoryStore({ clock });
  });

  it('isolated: suspended after a failed renewal, lost exactly at the local deadline, expired by the store at ttl', async () => {
    const renewals: boolean[] = [];
    const { session } = await open('a', (_latency, ok) => renewals.push(ok));
    const watcher = observer();
    await clock.advance(retryPeriodMs);
    assert.deepEqual(renewals, [true]);
    store.isolate(session.id);
    const states: string[] = [];
    session.onStateChange((state) => states.push(state), { signal: new AbortController().signal });
    await clock.advance(retryPeriodMs);
    assert.equal(session.state, 'suspended');
    assert.deepEqual(renewals, [true, false]);
    // Last successful renewal started at t=2000: the deadline is 2000 + renewDeadlineMs.
    const advanceTo = (t: number) => clock.advance(t - clock.now());
    await advanceTo(retryPeriodMs + renewDeadlineMs - 1);
    assert.equal(session.lost.aborted, false);
    await clock.advance(1);
    assert.ok(session.lost.aborted);
    assert.ok(session.lost.reason instanceof SessionLostError);
    assert.deepEqual(states, ['suspended', 'lost']);
    // The store still lists the member until ttl after the renewal that reached it (t=2000).
    await advanceTo(retryPeriodMs + ttlMs - 1);
    assert.deepEqual((await watcher.members()).map((m) => m.nodeId), ['a']);
    await clock.advance(1);
    assert.deepEqual(await watcher.members(), []);
  });

  it('healed before the deadline: live again and never lost', async () => {
    const { session } = await open('a');
    store.isolate(session.id);
    await clock.advance(2 * retryPeriodMs);
    assert.equal(session.state, 'suspended');
    store.heal(session.id);
    await clock.advance(retryPeriodMs);
    assert.equal(session.state, 'live');
    await clock.advance(3 * ttlMs);
    assert.equal(session.lost.aborted, false);
  });

  it('expire: lost at once; its lease and member go; a waiting campaign takes over at once', async () => {
    const a = await open('a');
    const b = await open('b');
    const held = await a.session.campaign(E, { host: 'a' });
    const waiting = track(b.session.campaign(E, { host: 'b' }));
    store.expire(a.session.id);
    await clock.advance(0);
    assert.ok(a.session.lost.aborted);
    assert.equal(a.session.state, 'lost');
    assert.ok(held.signal.reason instanceof LeadershipEndedError && held.signal.reason.reason === 'session-lost');
    assert.equal((await waiting.promise).term, 2);
    assert.deepEqual((await b.backend.members()).map((m) => m.nodeId), ['b']);
    await assert.rejects(a.session.campaign(E, {}), (e: unknown) => isBatonError(e, 'SESSION_LOST'));
  });

  it('leases-only isolation ends the term at the deadline, keeps the session; the store drops the lease at ttl', async () => {
    const { session, backend } = await open('a');
    const held = await session.campaign(E, { host: 'a' });
    store.isolate(session.id, { leasesOnly: true });
    await clock.advance(renewDeadlineMs - 1);
    assert.equal(held.signal.aborted, false);
    await clock.advance(1);
    assert.ok(held.signal.reason instanceof LeadershipEndedError && held.signal.reason.reason === 'renew-deadline');
    assert.equal(session.state, 'live');
    await clock.advance(ttlMs - renewDeadlineMs - 1);
    assert.equal((await backend.leader(E))?.term, 1);
    await clock.advance(1);
    assert.equal(await backend.leader(E), null);
  });

  it('end reasons: disturbed -> taken-over at the next renewal; resign -> resigned; close -> closed', async () => {
    const { session } = await open('a');
    const first = await session.campaign(E, {});
    store.disturbLeader('t', E);
    await clock.advance(retryPeriodMs - 1);
    assert.equal(first.signal.aborted, false);
    await clock.advance(1);
    assert.equal((first.signal.reason as LeadershipEndedError).reason, 'taken-over');
    const second = await session.campaign(E, {});
    assert.equal(second.term, 2);
    await second.resign();
    await second.resign();
    assert.equal((second.signal.reason as LeadershipEndedError).reason, 'resigned');
    const third = await session.campaign(E, {});
    await session.close();
    assert.equal((third.signal.reason as LeadershipEndedError).reason, 'closed');
    assert.equal(third.term, 3);
  });

  it('a session lost by its deadline keeps its node id taken until the store expires it', async () => {
    const a = await open('a');
    store.isolate(a.session.id);
    await clock.advance(renewDeadlineMs);
    assert.ok(a.session.lost.aborted);
    const other = observer();
    await assert.rejects(other.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING }), (e: unknown) => isBatonError(e, 'NODE_ID_IN_USE'));
    await clock.advance(ttlMs - renewDeadlineMs);
    const again = await other.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
    assert.equal(again.state, 'live');
  });

  it('campaigning twice at once for one election rejects StateError; campaigning while leading returns the term', async () => {
    const a = await open('a');
    const b = await open('b');
    const held = await a.session.campaign(E, {});
    assert.equal(await a.session.campaign(E, {}), held);
    const waiting = track(b.session.campaign(E, {}));
    await assert.rejects(b.session.campaign(E, {}), (e: unknown) => isBatonError(e, 'STATE'));
    await held.resign();
    assert.equal((await waiting.promise).term, 2);
  });
});
