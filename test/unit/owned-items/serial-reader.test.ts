/**
 * SerialReader (src/owned-items/serial-reader.ts), which both the bucket target watcher and the
 * partition resource watcher read through: reads never overlap, and a change noticed at any
 * moment, even as a read run is ending, is followed by one more read.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SerialReader } from '../../../src/owned-items/serial-reader.js';
import { silentLogger } from '../../../src/owned-items/silent-logger.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

/** A reader whose reads are counted and finish when the test says so. */
function harness() {
  let reads = 0;
  let running = 0;
  let maxRunning = 0;
  const finishers: (() => void)[] = [];
  const reader = new SerialReader({
    clock: new FakeClock(),
    retryMs: 1_000,
    log: silentLogger,
    what: 'test state',
    read: () => {
      reads++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      return new Promise<void>((resolve) => finishers.push(() => {
        running--;
        resolve();
      }));
    },
  });
  return { reader, reads: () => reads, maxRunning: () => maxRunning, finish: () => finishers.shift()?.() };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SerialReader', () => {
  it('joins refreshes that come during a read into exactly one more read, never two at once', async () => {
    const { reader, reads, maxRunning, finish } = harness();
    const signal = new AbortController().signal;
    const started = reader.start(signal);
    assert.equal(reads(), 1);
    void reader.refresh(signal);
    void reader.refresh(signal);
    finish();
    await started;
    await tick();
    assert.equal(reads(), 2, 'two refreshes during the first read: one more read');
    finish();
    await tick();
    assert.equal(reads(), 2, 'nothing more was asked');
    assert.equal(maxRunning(), 1);
  });

  it('a refresh in any microtask after a read finished is followed by a read (no refresh is lost)', async () => {
    for (let delay = 0; delay < 8; delay++) {
      const { reader, reads, finish } = harness();
      const signal = new AbortController().signal;
      void reader.start(signal);
      finish();
      for (let i = 0; i < delay; i++) await Promise.resolve();
      const before = reads();
      void reader.refresh(signal);
      await tick();
      assert.equal(reads(), before + 1, `refresh ${delay} microtasks after the read ended was lost`);
      finish();
    }
  });
});
