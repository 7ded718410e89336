import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, createStandaloneBackend } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Backend } from '../../../src/contract/index.js';
import { isBatonError } from '../../../src/errors.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { track } from '../../contract/contract-context.js';

const E = 'leader';

describe('memory backend', () => {
  let clock = new FakeClock();
  let store = new MemoryStore({ clock });
  let backends: Backend[] = [];
  const backend = () => {
    const opened = store.backend('t');
    backends.push(opened);
    return opened;
  };
  afterEach(async () => {
    for (const opened of backends) await opened.close();
    backends = [];
    clock = new FakeClock();
    store = new MemoryStore({ clock });
  });

  it('one open session per backend; a new one after the previous closed', async () => {
    const b = backend();
    const first = await b.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
    await assert.rejects(b.openSession({ nodeId: 'b', info: {}, timing: DEFAULT_TIMING }), (e: unknown) => isBatonError(e, 'STATE'));
    await first.close();
    const second = await b.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
    assert.notEqual(second.id, first.id);
    assert.deepEqual((await b.members()).map((m) => m.sessionId), [second.id]);
  });

  it('openSession validates the node id, the info and the timing', async () => {
    const b = backend();
    await assert.rejects(b.openSession({ nodeId: 'a/b', info: {}, timing: DEFAULT_TIMING }), (e: unknown) => isBatonError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(b.openSession({ nodeId: 'a', info: {}, timing: { ...DEFAULT_TIMING, renewDeadlineMs: 20_000 } }), (e: unknown) => isBatonError(e, 'CONFIG'));
    assert.deepEqual(await b.members(), []);
  });

  it('after close: calls reject ClosedError and its watches stop', async () => {
    const closing = backend();
    const writer = backend();
    let fired = 0;
    let barrier = 0;
    closing.kv.watch('', () => fired++, { signal: new AbortController().signal });
    writer.kv.watch('', () => barrier++, { signal: new AbortController().signal });
    await closing.close();
    await closing.close();
    await writer.kv.put('x', 1);
    await clock.advance(0);
    assert.equal(barrier, 1);
    assert.equal(fired, 0);
    await assert.rejects(closing.kv.get('x'), (e: unknown) => isBatonError(e, 'CLOSED'));
    await assert.rejects(closing.members(), (e: unknown) => isBatonError(e, 'CLOSED'));
    await assert.rejects(closing.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING }), (e: unknown) => isBatonError(e, 'CLOSED'));
    assert.throws(() => closing.watchMembers(() => undefined, { signal: new AbortController().signal }), (e: unknown) => isBatonError(e, 'CLOSED'));
  });

  it('an isolated session cannot reach the store; its campaign waits and wins after healing', async () => {
    const b = backend();
    const session = await b.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
    store.isolate(session.id);
    await assert.rejects(b.kv.put('k', 1), (e: unknown) => isBatonError(e, 'STORE_UNAVAILABLE'));
    await assert.rejects(b.leader(E), (e: unknown) => isBatonError(e, 'STORE_UNAVAILABLE'));
    const campaign = track(session.campaign(E, {}));
    await clock.advance(DEFAULT_TIMING.retryPeriodMs);
    assert.equal(campaign.settled, false);
    store.heal(session.id);
    await clock.advance(0);
    assert.equal((await campaign.promise).term, 1);
    assert.equal(await b.kv.put('k', 1, { fence: (await campaign.promise).fence }), 1);
  });

  it('watches run asynchronously, fold changes, and a throwing listener becomes a warning', async () => {
    const b = backend();
    let fired = 0;
    b.kv.watch('a/', () => fired++, { signal: new AbortController().signal });
    const writes = [b.kv.put('a/1', 1), b.kv.put('a/2', 2)];
    assert.equal(fired, 0, 'called synchronously');
    await Promise.all(writes);
    await clock.advance(0);
    assert.equal(fired, 1);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      b.kv.watch('a/', () => {
        throw new Error('listener bug');
      }, { signal: new AbortController().signal });
      await b.kv.put('a/3', 3);
      await clock.advance(0);
      assert.equal(fired, 2);
      assert.ok(warnings.some((w) => w.message === 'listener bug'));
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('standalone: the only member, leading at once with term 1', async () => {
    const solo = createStandaloneBackend('solo');
    try {
      const session = await solo.openSession({ nodeId: 'only', info: { host: 'h' }, timing: DEFAULT_TIMING });
      const leadership = await session.campaign(E, { host: 'h' });
      assert.equal(leadership.term, 1);
      assert.equal(solo.kind, 'memory');
      assert.deepEqual((await solo.members()).map((m) => m.nodeId), ['only']);
    } finally {
      await solo.close();
    }
  });
});
