/**
 * The cold-start settle gate (issue 14): a term's first placement waits for the membership to
 * settle, at most SETTLE_WINDOW_MS for a lone node, not at all when the stored layout's nodes are
 * all live or `expectedNodes` nodes are (issue 12), and never past SETTLE_LIMIT_MS however often
 * members change.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Member } from '../../../src/contract/contract.js';
import { SETTLE_LIMIT_MS, SETTLE_WINDOW_MS, SettleGate } from '../../../src/owned-items/settle-gate.js';
import type { StoredPlacement } from '../../../src/owned-items/place-items.js';
import { isBatonError } from '../../../src/errors.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

const members = (...ids: string[]): Member[] => ids.map((nodeId) => ({ nodeId, sessionId: `s-${nodeId}`, info: {} }));
const empty: StoredPlacement = { assignment: {}, graceUsedMs: new Map(), departed: new Set() };
const storedFor = (ids: string[], departed: string[] = []): StoredPlacement => ({
  assignment: { '1': ids },
  graceUsedMs: new Map(ids.map((id) => [id, null])),
  departed: new Set(departed),
});

describe('SettleGate', () => {
  it('a lone node on an empty store waits exactly the window, once', async () => {
    const clock = new FakeClock();
    const gate = new SettleGate(clock);
    assert.equal(gate.waitMs(members('a'), empty), SETTLE_WINDOW_MS);
    await clock.advance(SETTLE_WINDOW_MS - 1);
    assert.equal(gate.waitMs(members('a'), empty), 1);
    await clock.advance(1);
    assert.equal(gate.waitMs(members('a'), empty), 0);
    assert.equal(gate.waitMs(members('a', 'b'), empty), 0, 'settled for the rest of the term');
  });

  it('every membership change restarts the window', async () => {
    const clock = new FakeClock();
    const gate = new SettleGate(clock);
    gate.waitMs(members('a'), empty);
    await clock.advance(SETTLE_WINDOW_MS - 100);
    assert.equal(gate.waitMs(members('a', 'b'), empty), SETTLE_WINDOW_MS, 'b joined: the window starts again');
    await clock.advance(SETTLE_WINDOW_MS);
    assert.equal(gate.waitMs(members('a', 'b'), empty), 0);
  });

  it('places at once when every node the store names is live (a leader change in a running cluster)', () => {
    const gate = new SettleGate(new FakeClock());
    assert.equal(gate.waitMs(members('a', 'b'), storedFor(['a', 'b'])), 0);
  });

  it('waits for a stored node that is not back yet, but not for a graceful leaver', () => {
    assert.equal(new SettleGate(new FakeClock()).waitMs(members('a'), storedFor(['a', 'b'])), SETTLE_WINDOW_MS);
    assert.equal(new SettleGate(new FakeClock()).waitMs(members('a'), storedFor(['a', 'b'], ['b'])), 0);
  });

  it('never waits past the limit while members keep changing', async () => {
    const clock = new FakeClock();
    const gate = new SettleGate(clock);
    let ids = ['a'];
    gate.waitMs(members(...ids), empty);
    for (let elapsed = 0; elapsed < SETTLE_LIMIT_MS; elapsed += SETTLE_WINDOW_MS / 2) {
      await clock.advance(SETTLE_WINDOW_MS / 2);
      ids = [...ids, `n${elapsed}`];
      assert.ok(gate.waitMs(members(...ids), empty) <= SETTLE_LIMIT_MS - (elapsed + SETTLE_WINDOW_MS / 2));
    }
    assert.equal(gate.waitMs(members(...ids, 'late'), empty), 0, 'placed at the limit');
  });

  it('with expectedNodes, places as soon as that many nodes are live, before the window ends', async () => {
    const clock = new FakeClock();
    const gate = new SettleGate(clock, { expectedNodes: 3 });
    assert.equal(gate.waitMs(members('a'), empty), SETTLE_WINDOW_MS);
    await clock.advance(1_000);
    assert.equal(gate.waitMs(members('a', 'b'), empty), SETTLE_WINDOW_MS, 'two of three: the window starts again');
    await clock.advance(100);
    assert.equal(gate.waitMs(members('a', 'b', 'c'), empty), 0, 'the third node joined: no quiet window needed');
    assert.equal(gate.waitMs(members('a'), empty), 0, 'settled for the rest of the term');
  });

  it('with expectedNodes, fewer nodes still place once the window has passed (a wrong count only delays)', async () => {
    const clock = new FakeClock();
    const gate = new SettleGate(clock, { expectedNodes: 5 });
    assert.equal(gate.waitMs(members('a', 'b'), empty), SETTLE_WINDOW_MS);
    await clock.advance(SETTLE_WINDOW_MS);
    assert.equal(gate.waitMs(members('a', 'b'), empty), 0);
  });

  it('expectedNodes 1 lets a lone node place at once; 0 is off; anything else is refused', () => {
    assert.equal(new SettleGate(new FakeClock(), { expectedNodes: 1 }).waitMs(members('a'), empty), 0);
    assert.equal(new SettleGate(new FakeClock(), { expectedNodes: 0 }).waitMs(members('a'), empty), SETTLE_WINDOW_MS);
    for (const bad of [-1, 1.5, Number.NaN]) {
      assert.throws(() => new SettleGate(new FakeClock(), { expectedNodes: bad }), (e: unknown) => isBatonError(e, 'INVALID_ARGUMENT') && /expectedNodes must be a whole number >= 0/.test(e.message));
    }
  });

  it('open() places at once (an explicit pass)', () => {
    const gate = new SettleGate(new FakeClock());
    gate.open();
    assert.equal(gate.waitMs(members('a'), empty), 0);
  });
});
