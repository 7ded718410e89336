/**
 * The shared async helpers (src/async.ts), driven by a FakeClock: each settles as documented
 * when its time passes or its signal aborts, and leaves no listener behind.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { anySignal, pause, raceSignal, whenAborted } from '../../../src/async.js';
import type { Clock } from '../../../src/clock.js';
import { AbortedError, isBatonError } from '../../../src/errors.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

/** How many abort listeners `signal` has now. */
function listeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

/** Whether `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('pause', () => {
  it('resolves true once the time has passed on the clock, not before', async () => {
    const clock = new FakeClock();
    const paused = pause(clock, 1000, new AbortController().signal);
    await clock.advance(999);
    assert.equal(await settled(paused), false);
    await clock.advance(1);
    assert.equal(await paused, true);
  });

  it('resolves false as soon as the signal aborts, without rejecting', async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    const paused = pause(clock, 1000, stop.signal);
    stop.abort(new Error('closing'));
    assert.equal(await paused, false);
    assert.equal(clock.pendingSleeps, 0);
    assert.equal(listeners(stop.signal), 0);
  });

  it('resolves false at once for a signal that has already aborted, without sleeping', async () => {
    const clock = new FakeClock();
    assert.equal(await pause(clock, 1000, AbortSignal.abort()), false);
    assert.equal(clock.pendingSleeps, 0);
  });

  it('passes on a clock failure that is not an abort', async () => {
    const broken: Clock = { now: () => 0, sleep: () => Promise.reject(new Error('clock broke')) };
    await assert.rejects(pause(broken, 10, new AbortController().signal), /clock broke/);
  });
});

describe('raceSignal', () => {
  it('settles with the promise when it wins, and removes its listener', async () => {
    const stop = new AbortController();
    const raced = raceSignal(Promise.resolve(7), stop.signal, 'read');
    assert.equal(listeners(stop.signal), 1);
    assert.equal(await raced, 7);
    assert.equal(listeners(stop.signal), 0);
    await assert.rejects(raceSignal(Promise.reject(new Error('refused')), stop.signal, 'read'), /refused/);
    assert.equal(listeners(stop.signal), 0);
  });

  it('rejects with AbortedError naming the call and carrying the reason when the signal aborts first', async () => {
    const stop = new AbortController();
    const never = new Promise<number>(() => undefined);
    const raced = raceSignal(never, stop.signal, 'kv get');
    const reason = new Error('caller gave up');
    stop.abort(reason);
    const error: unknown = await raced.then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof AbortedError);
    assert.ok(isBatonError(error, 'ABORTED'));
    assert.match(error.message, /kv get/);
    assert.equal(error.cause, reason);
  });

  it('rejects at once for an aborted signal and drops the raced promise failure (no unhandled rejection)', async () => {
    let unhandled = 0;
    const onUnhandled = () => unhandled++;
    process.on('unhandledRejection', onUnhandled);
    try {
      let fail: (error: Error) => void = () => undefined;
      const late = new Promise<void>((_, reject) => (fail = reject));
      await assert.rejects(raceSignal(late, AbortSignal.abort(), 'write'), (e: unknown) => isBatonError(e, 'ABORTED'));
      fail(new Error('late failure'));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(unhandled, 0);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('is the promise itself without a signal', async () => {
    const promise = Promise.resolve('x');
    assert.equal(raceSignal(promise, undefined, 'read'), promise);
  });
});

describe('whenAborted', () => {
  it('resolves when any of the signals aborts, and removes the listeners from all of them', async () => {
    const a = new AbortController();
    const b = new AbortController();
    const waiting = whenAborted(a.signal, undefined, b.signal);
    assert.equal(await settled(waiting), false);
    assert.equal(listeners(a.signal) + listeners(b.signal), 2);
    b.abort();
    await waiting;
    assert.equal(listeners(a.signal) + listeners(b.signal), 0);
  });

  it('resolves at once when a signal has already aborted', async () => {
    assert.equal(await settled(whenAborted(new AbortController().signal, AbortSignal.abort())), true);
  });
});

describe('anySignal', () => {
  it('aborts with the reason of the first signal that aborts, skipping undefined ones', () => {
    const a = new AbortController();
    const b = new AbortController();
    const any = anySignal(a.signal, undefined, b.signal);
    assert.equal(any.aborted, false);
    const reason = new Error('b went');
    b.abort(reason);
    assert.equal(any.aborted, true);
    assert.equal(any.reason, reason);
  });
});
