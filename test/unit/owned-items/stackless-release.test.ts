/**
 * Issue 12, a graceful leave at scale: the abort reasons made once per item when a node gives
 * its items up (the held item's StateError, the resigned or closed term's LeadershipEndedError)
 * are expected control flow and are made without a stack (errors.ts withoutStack); capturing
 * 33,333 of each was ~0.5 s of a leaving node's CPU. A term that ended by a fault (its session
 * lost) keeps its stack.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING } from '../../../src/contract/index.js';
import { isBatonError, leadershipEnded, LeadershipEndedError } from '../../../src/errors.js';
import { HandoffSlots } from '../../../src/owned-items/handoff-slots.js';
import type { Held } from '../../../src/holding/index.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { numberedItems } from '../../support/numbered-items.js';
import { stackFrames } from '../../support/stack-frames.js';

const ITEMS = 50;

describe('abort reasons of a graceful release', () => {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const backend = store.backend('t');
  after(() => backend.close());

  it('a close releases every item with reasons that captured no stack', async () => {
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
    const held = new Map<number, Held>();
    const slots = new HandoffSlots<number>({ ...numberedItems(session, clock), acquired: (item, holding) => void held.set(item, holding), released: () => undefined });
    slots.want(new Set(Array.from({ length: ITEMS }, (_, i) => i)));
    for (let round = 0; round < 100 && held.size < ITEMS; round++) await clock.advance(0);
    assert.equal(held.size, ITEMS);
    await slots.close();
    const reasons = [...held.values()].map((holding) => holding.signal.reason as unknown);
    assert.ok(reasons.every((reason) => isBatonError(reason, 'STATE')));
    assert.deepEqual(reasons.filter((reason) => stackFrames(reason) > 0), []);
    await session.close();
  });

  it('a resigned term ends without a stack, a term whose session was lost with one', async () => {
    const session = await backend.openSession({ nodeId: 'b', info: {}, timing: DEFAULT_TIMING });
    const resigned = await session.campaign('resigned', {});
    await resigned.resign();
    assert.ok(resigned.signal.reason instanceof LeadershipEndedError);
    assert.equal(stackFrames(resigned.signal.reason), 0);
    const lost = leadershipEnded('lost', 1, 'session-lost');
    assert.ok(stackFrames(lost) > 0);
    assert.ok(stackFrames(leadershipEnded('closed', 1, 'closed')) === 0);
    await session.close();
  });
});
