/**
 * HandoffSlots holding thousands of items (issue 12): a session lost with every item held must
 * release each one, even when the stop callback asks about holding. Each such question ends the
 * next term at once (holding is judged when asked); released inside that term's abort listener,
 * that recursed one level per item and overflowed the stack with thousands of items. A close
 * (a graceful leave) releases them in a window of RELEASES_AT_ONCE, not all at once (a node
 * leaving with 33,333 items reached a 522 MB heap).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING } from '../../../src/contract/index.js';
import { HandoffSlots, RELEASES_AT_ONCE } from '../../../src/owned-items/handoff-slots.js';
import type { Held, ReleaseReason } from '../../../src/holding/index.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { numberedItems } from '../../support/numbered-items.js';

const ITEMS = 8_000;

describe('HandoffSlots with thousands of items', () => {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const backend = store.backend('t');
  after(() => backend.close());

  it('a lost session releases every item, with a stop callback that asks owned()', async () => {
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
    const stopped = new Map<number, ReleaseReason>();
    const held = new Map<number, Held>();
    const slots = new HandoffSlots<number>({
      ...numberedItems(session, clock),
      acquired: (item, holding) => void held.set(item, holding),
      released: (item, reason) => {
        stopped.set(item, reason);
        return void held.get(item + 1)?.signal.aborted; // a stop callback looking at other work
      },
    });
    slots.want(new Set(Array.from({ length: ITEMS }, (_, i) => i)));
    for (let round = 0; round < 100 && held.size < ITEMS; round++) await clock.advance(0);
    assert.equal(held.size, ITEMS);
    clock.jump(DEFAULT_TIMING.renewDeadlineMs); // a freeze past the session's deadline
    assert.deepEqual(slots.owned(), []);
    for (let round = 0; round < 100 && stopped.size < ITEMS; round++) await clock.advance(0);
    assert.equal(stopped.size, ITEMS);
    assert.deepEqual(new Set(stopped.values()), new Set(['lost']));
    await slots.close();
  });

  it('a close releases every item, at most RELEASES_AT_ONCE stop callbacks under way at a time, the others still held', async () => {
    const items = 3 * RELEASES_AT_ONCE;
    const session = await backend.openSession({ nodeId: 'b', info: {}, timing: DEFAULT_TIMING });
    const held = new Map<number, Held>();
    const stopped = new Map<number, ReleaseReason>();
    let running = 0;
    let most = 0;
    let heldWhileFirstStopped = 0;
    const slots = new HandoffSlots<number>({
      ...numberedItems(session, clock),
      electionOf: (item) => `close/${item}`, // not the elections of the lost session above
      acquired: (item, holding) => void held.set(item, holding),
      released: async (item, reason) => {
        if (stopped.size === 0) heldWhileFirstStopped = slots.owned().length;
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve)); // a stop that takes a turn of the event loop
        running -= 1;
        stopped.set(item, reason);
      },
    });
    slots.want(new Set(Array.from({ length: items }, (_, i) => i)));
    for (let round = 0; round < 100 && held.size < items; round++) await clock.advance(0);
    assert.equal(held.size, items);
    await slots.close();
    assert.equal(stopped.size, items);
    assert.deepEqual(new Set(stopped.values()), new Set(['closed']));
    assert.ok(most <= RELEASES_AT_ONCE, `${most} stop callbacks under way at once`);
    assert.ok(heldWhileFirstStopped >= items - RELEASES_AT_ONCE, `${heldWhileFirstStopped} items still held when the first stop ran`);
    await session.close();
  });
});
