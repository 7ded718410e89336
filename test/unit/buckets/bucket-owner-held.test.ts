/**
 * Issue 10, case 4 for buckets: `owned()` and an acquired bucket's signal are judged on the
 * monotonic clock when read (memory backend, FakeClock): after a freeze past the renew deadline
 * the node owns nothing at once, before any of its timers has run.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Backend } from '../../../src/contract/index.js';
import { AssignService } from '../../../src/buckets/assign-service.js';
import { BucketOwner } from '../../../src/buckets/bucket-owner.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

describe('BucketOwner: owned() judged when asked', () => {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const backends: Backend[] = [];
  const owners: BucketOwner[] = [];
  afterEach(async () => {
    for (const owner of owners) await owner.close({ leave: false });
    for (const backend of backends) await backend.close();
  });

  /** Lets queued work run without moving the clock, until `done` holds (or gives up). */
  async function settleUntil(done: () => boolean): Promise<void> {
    for (let round = 0; round < 50 && !done(); round++) await clock.advance(0);
  }

  it('a freeze past the renew deadline: owned() is empty and every signal aborted, before any timer runs', async () => {
    const backend = store.backend('held');
    backends.push(backend);
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
    const leadership = await session.campaign('cluster-leader', {});
    await new AssignService({ backend, leadership, buckets: { count: 8 }, clock }).tick();
    const owner = new BucketOwner({ backend, session, bucketCount: 8, clock });
    owners.push(owner);
    const signals: AbortSignal[] = [];
    const released: string[] = [];
    owner.on('acquired', (_bucket, held) => void signals.push(held.signal));
    owner.on('released', (bucket) => void released.push(bucket));
    await owner.start();
    await settleUntil(() => owner.owned().length === 8);
    assert.equal(owner.owned().length, 8);
    clock.jump(DEFAULT_TIMING.renewDeadlineMs);
    // Signals kept from `acquired` (as `({ token, signal }) => work(signal)` keeps them), read
    // before anything else is asked: each judges the deadline itself.
    assert.ok(signals.every((signal) => signal.aborted), 'a kept bucket signal said "not aborted" past the deadline');
    assert.deepEqual(owner.owned(), []);
    await clock.advance(0);
    assert.equal(released.length, 8);
  });
});
