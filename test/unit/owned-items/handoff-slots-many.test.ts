/**
 * HandoffSlots holding thousands of items (issue 12): a session lost with every item held must
 * release each one, even when the stop callback asks about holding. Each such question ends the
 * next term at once (holding is judged when asked); released inside that term's abort listener,
 * that recursed one level per item and overflowed the stack with thousands of items.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING } from '../../../src/contract/index.js';
import { HandoffSlots } from '../../../src/owned-items/handoff-slots.js';
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
});
