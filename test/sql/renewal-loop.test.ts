/**
 * The local deadline of SQL sessions and leases, driven by a FakeClock (no database): lost at
 * (START of the last successful renewal + renewDeadlineMs), at once when the store says it is
 * gone, never after stop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionTiming } from '../../src/contract/index.js';
import { RenewalLoop } from '../../src/backends/sql/renewal-loop.js';
import { BatonError, SessionLostError } from '../../src/errors.js';
import { FakeClock } from '../../src/testing/fake-clock.js';

const TIMING: SessionTiming = { ttlMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 };

/** A renewal whose outcome and duration the test decides. */
function harness(clock: FakeClock, renewTakesMs: number, outcome: () => boolean | 'fail') {
  const lost: { at: number; reason: BatonError }[] = [];
  const attempts: { at: number; ok: boolean }[] = [];
  const loop = new RenewalLoop({
    clock,
    timing: TIMING,
    what: 'test lease',
    renew: async () => {
      await clock.sleep(renewTakesMs);
      const result = outcome();
      if (result === 'fail') throw new Error('store unreachable');
      return result;
    },
    gone: () => new BatonError('NOT_LEADER', 'gone'),
    onLost: (reason) => lost.push({ at: clock.now(), reason }),
    onAttempt: (_latency, ok) => attempts.push({ at: clock.now(), ok }),
  });
  return { loop, lost, attempts };
}

describe('RenewalLoop (SQL local deadline)', () => {
  it('renews every retryPeriodMs and never declares a healthy holder lost', async () => {
    const clock = new FakeClock();
    const { loop, lost, attempts } = harness(clock, 100, () => true);
    loop.start(0);
    await clock.advance(60_000);
    loop.stop();
    assert.equal(lost.length, 0);
    assert.ok(attempts.length >= 25, `only ${attempts.length} renewals in 60 s`);
    assert.ok(attempts.every((a) => a.ok));
  });

  it('declares lost exactly at the start of the last successful renewal + renewDeadlineMs', async () => {
    const clock = new FakeClock();
    let healthy = true;
    const { loop, lost, attempts } = harness(clock, 300, () => (healthy ? true : 'fail'));
    loop.start(0);
    await clock.advance(4_600); // renewals start at 2000 and 4300 (2000 after the first ended)
    const lastStart = (attempts.at(-1)?.at ?? 0) - 300;
    healthy = false;
    await clock.advance(20_000);
    assert.equal(lost.length, 1);
    assert.equal(lost[0]?.at, lastStart + TIMING.renewDeadlineMs);
    assert.ok(lost[0]?.reason instanceof SessionLostError);
    assert.ok(attempts.some((a) => !a.ok), 'failed attempts were not reported');
  });

  it('a renewal that hangs past the deadline does not postpone it', async () => {
    const clock = new FakeClock();
    const { loop, lost } = harness(clock, 60_000, () => true);
    loop.start(1_000);
    await clock.advance(30_000);
    assert.equal(lost[0]?.at, 1_000 + TIMING.renewDeadlineMs);
  });

  it('is lost at once, with the store\'s reason, when the store says it is gone', async () => {
    const clock = new FakeClock();
    const { loop, lost } = harness(clock, 10, () => false);
    loop.start(0);
    await clock.advance(TIMING.retryPeriodMs + 10);
    assert.equal(lost.length, 1);
    assert.equal(lost[0]?.at, TIMING.retryPeriodMs + 10);
    assert.equal(lost[0]?.reason.code, 'NOT_LEADER');
    await clock.advance(30_000);
    assert.equal(lost.length, 1, 'lost reported twice');
  });

  it('after stop, nothing is reported', async () => {
    const clock = new FakeClock();
    const { loop, lost, attempts } = harness(clock, 10, () => 'fail');
    loop.start(0);
    await clock.advance(3_000);
    loop.stop();
    const seen = attempts.length;
    await clock.advance(60_000);
    assert.equal(lost.length, 0);
    assert.equal(attempts.length, seen);
  });
});
