/**
 * anySignal must not grow a long-lived source (a session's `lost`, a backend's `closed`) with
 * every combination made from it: a node combines them on every campaign, wait and watch for
 * weeks. Node 20's AbortSignal.any kept, in each source, a reference to every combination until
 * the source aborted (about 87 bytes a combination, measured over 1e6 with forced GC).
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { anySignal } from '../../../src/async.js';

/** The entries of every collection the signal holds under its own symbol keys (Node 20 keeps its dependants there). */
function heldCollectionSizes(signal: AbortSignal): number {
  const holder = signal as unknown as Record<symbol, { size?: unknown } | undefined>;
  let size = 0;
  for (const key of Object.getOwnPropertySymbols(signal)) {
    const held = holder[key]?.size;
    if (typeof held === 'number') size += held;
  }
  return size;
}

describe('anySignal releases its sources', () => {
  it('leaves a long-lived source with no listener and no reference after 10,000 combinations whose other source aborted', () => {
    const lost = new AbortController();
    for (let i = 0; i < 10_000; i++) {
      const round = new AbortController();
      anySignal(lost.signal, round.signal);
      round.abort();
    }
    assert.equal(getEventListeners(lost.signal, 'abort').length, 0);
    assert.equal(heldCollectionSizes(lost.signal), 0);
  });

  it('leaves a long-lived source with no listener and no reference after 10,000 combinations that were disposed', () => {
    const lost = new AbortController();
    const closed = new AbortController();
    for (let i = 0; i < 10_000; i++) anySignal(lost.signal, closed.signal, new AbortController().signal).dispose();
    for (const source of [lost.signal, closed.signal]) {
      assert.equal(getEventListeners(source, 'abort').length, 0);
      assert.equal(heldCollectionSizes(source), 0);
    }
  });

  it('puts one listener on a source however many live combinations follow it, and still aborts each with its reason', () => {
    const lost = new AbortController();
    const combined = Array.from({ length: 50 }, () => anySignal(lost.signal, new AbortController().signal));
    assert.ok(getEventListeners(lost.signal, 'abort').length <= 1);
    lost.abort(new Error('session lost'));
    for (const c of combined) assert.equal((c.reason as Error).message, 'session lost');
    assert.equal(getEventListeners(lost.signal, 'abort').length, 0);
  });

  it('a disposed combination no longer follows its sources; an aborted source aborts the combination at once', () => {
    const a = new AbortController();
    const b = new AbortController();
    const disposed = anySignal(a.signal, b.signal);
    disposed.dispose();
    disposed.dispose(); // idempotent
    const live = anySignal(a.signal, b.signal);
    b.abort(new Error('b'));
    assert.equal(disposed.aborted, false);
    assert.equal((live.reason as Error).message, 'b');
    assert.equal(getEventListeners(a.signal, 'abort').length, 0, 'the aborted combination let go of its other source');
    const late = anySignal(a.signal, b.signal);
    assert.equal(late.aborted, true);
    late.dispose();
  });
});
