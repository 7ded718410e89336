/**
 * HandoffSlots (the node side of buckets and partitions) on the memory backend with a FakeClock,
 * issue 10 cases 3 and 4: `owned()` and a Held's `signal` are judged on the monotonic clock
 * when read, and `acquired` never sees a term that ended before the campaign answered.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING, type Backend, type Session } from '../../../src/contract/index.js';
import { HandoffSlots } from '../../../src/owned-items/handoff-slots.js';
import type { Held, ReleaseReason } from '../../../src/holding/index.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { slowCampaigns } from '../../support/slow-campaigns.js';
import { numberedItems } from '../../support/numbered-items.js';

const { renewDeadlineMs, ttlMs } = DEFAULT_TIMING;

describe('HandoffSlots: holding is judged when asked', () => {
  let clock = new FakeClock();
  let store = new MemoryStore({ clock });
  let backends: Backend[] = [];
  let slotsToClose: Array<HandoffSlots<number>> = [];
  afterEach(async () => {
    for (const slots of slotsToClose) await slots.close();
    for (const backend of backends) await backend.close();
    [backends, slotsToClose] = [[], []];
    clock = new FakeClock();
    store = new MemoryStore({ clock });
  });

  async function open(nodeId: string): Promise<Session> {
    const backend = store.backend('t');
    backends.push(backend);
    return backend.openSession({ nodeId, info: {}, timing: DEFAULT_TIMING });
  }

  function slotsOf(session: Session) {
    const started = new Map<number, Held>();
    const stopped: Array<[number, ReleaseReason]> = [];
    const slots = new HandoffSlots<number>({
      ...numberedItems(session, clock),
      acquired: (item, held) => {
        assert.equal(held.signal.aborted, false, `item ${item} started with a held term`);
        started.set(item, held);
      },
      released: (item, reason) => void stopped.push([item, reason]),
    });
    slotsToClose.push(slots);
    return { slots, started, stopped };
  }

  it('owned() and a held item\'s signal read as over at once after a freeze past the deadline', async () => {
    const { slots, started, stopped } = slotsOf(await open('a'));
    slots.want(new Set([1, 2]));
    await clock.advance(0);
    assert.deepEqual(slots.owned().sort(), [1, 2]);
    const held = started.get(1);
    assert.ok(held !== undefined);
    clock.jump(renewDeadlineMs);
    // No timer has run: the answers come from the clock.
    assert.equal(held.signal.aborted, true);
    assert.deepEqual(slots.owned(), []);
    assert.equal(started.get(2)?.signal.aborted, true);
    await clock.advance(0);
    assert.deepEqual(stopped.map(([item, reason]) => `${item}:${reason}`).sort(), ['1:lost', '2:lost']);
  });

  it('owned() alone, read first, ends the terms and releases the items', async () => {
    const { slots, started, stopped } = slotsOf(await open('a'));
    slots.want(new Set([3]));
    await clock.advance(0);
    clock.jump(renewDeadlineMs);
    assert.deepEqual(slots.owned(), []);
    assert.equal(started.get(3)?.signal.aborted, true);
    await clock.advance(0);
    assert.deepEqual(stopped, [[3, 'lost']]);
  });

  it('acquired is never called with a term that ended before the campaign answered (and no released for it)', async () => {
    const session = await open('a');
    const slow = slowCampaigns(session);
    const { slots, started, stopped } = slotsOf(slow.session);
    store.isolate(session.id, { leasesOnly: true });
    slots.want(new Set([5]));
    await clock.advance(0);
    assert.equal(slow.held, 1, 'the take landed; its answer is held back');
    await clock.advance(renewDeadlineMs);
    slow.release();
    await clock.advance(0);
    assert.equal(started.size, 0, 'no acquired with an ended term');
    assert.deepEqual(stopped, []);
    assert.deepEqual(slots.owned(), []);
    // The old lease expires in the store; the item is won again with a new term.
    store.heal(session.id);
    await clock.advance(ttlMs);
    slow.release();
    await clock.advance(0);
    assert.equal(started.get(5)?.token, 2);
    assert.deepEqual(slots.owned(), [5]);
    assert.deepEqual(stopped, []);
  });
});
