/**
 * The shared deadline timer of a ZooKeeper connection's calls (src/zk-client/zk-call-deadlines.ts):
 * every call expires at its own timeout whatever the others', a call taken out never expires,
 * and takeAll hands back every call still queued.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallDeadlines, type Deadlined, type DueQueue } from '../../../src/zk-client/zk-call-deadlines.js';

/** A call that records its expiry in `expired`, with the time on `performance.now()`. */
class TestCall implements Deadlined {
  deadline = 0;
  dueIn: DueQueue | undefined;
  prevDue: Deadlined | undefined;
  nextDue: Deadlined | undefined;
  constructor(
    readonly name: string,
    readonly expired: Array<{ name: string; at: number }>,
    readonly onExpire: () => void = () => {},
  ) {}
  expire(): void {
    this.expired.push({ name: this.name, at: performance.now() });
    this.onExpire();
  }
}

/** Resolves once `expired` has `count` entries, checking at each expiry. */
function expiries(count: number, expired: unknown[], calls: TestCall[]): Promise<void> {
  return new Promise((resolve) => {
    for (const call of calls) {
      const inner = call.onExpire;
      (call as { onExpire: () => void }).onExpire = () => {
        inner();
        if (expired.length === count) resolve();
      };
    }
  });
}

describe('CallDeadlines', () => {
  it('expires each call no earlier than its own timeout, in deadline order across timeouts, never one taken out', async () => {
    const deadlines = new CallDeadlines<TestCall>();
    const expired: Array<{ name: string; at: number }> = [];
    const start = performance.now();
    const long1 = new TestCall('long 1', expired);
    const short = new TestCall('short', expired);
    const removed = new TestCall('removed', expired);
    const long2 = new TestCall('long 2', expired);
    const done = expiries(3, expired, [long1, short, removed, long2]);
    deadlines.add(long1, 40);
    deadlines.add(removed, 40);
    deadlines.add(short, 10);
    deadlines.add(long2, 40);
    deadlines.remove(removed);
    deadlines.remove(removed); // twice changes nothing
    await done;
    assert.deepEqual(expired.map((e) => e.name), ['short', 'long 1', 'long 2']);
    assert.ok(expired[0]!.at - start >= 10 - 1, `short expired after ${expired[0]!.at - start} ms`);
    assert.ok(expired[1]!.at - start >= 40 - 1, `long expired after ${expired[1]!.at - start} ms`);
    assert.deepEqual(deadlines.takeAll(), []);
  });

  it('takeAll hands back the calls still queued and expires none of them later', () => {
    const deadlines = new CallDeadlines<TestCall>();
    const expired: Array<{ name: string; at: number }> = [];
    const a = new TestCall('a', expired);
    const b = new TestCall('b', expired);
    deadlines.add(a, 60_000);
    deadlines.add(b, 30_000);
    assert.deepEqual(deadlines.takeAll().map((c) => c.name).sort(), ['a', 'b']);
    assert.equal(a.dueIn, undefined);
    assert.equal(expired.length, 0); // and the timer is stopped: the test process exits at once
  });
});
