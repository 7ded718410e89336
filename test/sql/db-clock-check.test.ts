/**
 * The database-clock check (issue 10 case 5) on readings the test makes up: a step or a steady
 * gain beyond half the margin is caught, slow and bursty round trips and pauses are not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionTiming } from '../../src/contract/index.js';
import type { DbClockReading } from '../../src/backends/sql/db-clock-check.js';
import { clockGainToleranceMs, DbClockCheck } from '../../src/backends/sql/db-clock-check.js';

const TIMING: SessionTiming = { ttlMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 };
const EPOCH = 1_800_000_000_000;

/** A reading sent at local `at`, answered `latency` later, evaluated `dbOffset` ms off at `at + evalAfter`. */
function reading(at: number, latency: number, dbOffset = 0, evalAfter = latency / 2): DbClockReading {
  return { dbMs: EPOCH + at + evalAfter + dbOffset, sentAt: at, answeredAt: at + latency };
}

describe('DbClockCheck', () => {
  it('tolerates half the margin: (ttl - renewDeadline) / 2', () => {
    assert.equal(clockGainToleranceMs(TIMING), 2_500);
  });

  it('says steady for honest clocks, however slow or uneven the round trips and the gaps between them', () => {
    const check = new DbClockCheck(TIMING);
    // [sent at, round trip, when within the round trip the server read its clock]
    const readings: [number, number, number][] = [[0, 5, 0], [2_000, 4_000, 4_000], [6_100, 1, 0], [9_000, 2_900, 2_900], [30_000, 10, 0], [31_000, 3_000, 0]];
    const kinds = readings.map(([at, latency, evalAfter]) => check.observe(reading(at, latency, 0, evalAfter)).kind);
    assert.deepEqual(kinds, ['steady', 'steady', 'steady', 'steady', 'steady', 'steady']);
  });

  it('catches a forward step beyond the tolerance at the first reading after it', () => {
    const check = new DbClockCheck(TIMING);
    check.observe(reading(0, 10));
    check.observe(reading(2_000, 10));
    const verdict = check.observe(reading(4_000, 10, 3_000));
    assert.equal(verdict.kind, 'forward');
    assert.ok(verdict.kind === 'forward' && verdict.gainedMs > 2_500 && verdict.gainedMs <= 3_000);
  });

  it('does not stop for a step within the tolerance', () => {
    const check = new DbClockCheck(TIMING);
    check.observe(reading(0, 10));
    assert.equal(check.observe(reading(2_000, 10, 2_000)).kind, 'steady');
  });

  it('adds up a gain spread over several renewals within one ttl (a clock running fast)', () => {
    const check = new DbClockCheck(TIMING);
    const kinds: string[] = [];
    // The database clock runs 1.25 times as fast: 500 ms gained per 2 s renewal period.
    for (let at = 0; at <= 14_000; at += 2_000) kinds.push(check.observe(reading(at, 10, at * 0.25)).kind);
    assert.equal(kinds.slice(0, 5).every((k) => k === 'steady'), true, kinds.join());
    assert.equal(kinds.at(-1), 'forward', kinds.join());
  });

  it('reports a backward step once, then counts from the new reading', () => {
    const check = new DbClockCheck(TIMING);
    check.observe(reading(0, 10));
    const back = check.observe(reading(2_000, 10, -4_000));
    assert.equal(back.kind, 'backward');
    assert.ok(back.kind === 'backward' && back.lostMs >= 3_980);
    assert.equal(check.observe(reading(4_000, 10, -4_000)).kind, 'steady');
  });
});
