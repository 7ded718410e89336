/**
 * anySignal over judged signals (src/judged-signal.ts): a session's `lost` judges its deadline
 * whenever its `aborted` is read. Node 20's AbortSignal.any, given a composite (one made by
 * AbortSignal.any before), reads the `aborted` of each of the composite's sources and asserts
 * it is false. A judge that aborted the source right there failed that assertion: a node
 * process died with ERR_INTERNAL_ASSERTION in the leader elector under load (issue 12), where a
 * session's renew deadline had passed before its timer ran.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anySignal } from '../../../src/async.js';
import { judgedController } from '../../../src/judged-signal.js';

/** A judged signal like a session's `lost`: its judge aborts it once `deadlinePassed()` says so. */
function judgedLost(deadlinePassed: () => boolean): AbortController {
  const lost: AbortController = judgedController(() => {
    if (deadlinePassed()) lost.abort(new Error('renew deadline passed'));
  });
  return lost;
}

describe('anySignal over judged signals', () => {
  it('combines a composite whose judged source is past its deadline without an internal assertion; the combination aborts once the source is judged', () => {
    let passed = false;
    const lost = judgedLost(() => passed);
    const closing = new AbortController();
    const stop = anySignal(closing.signal, lost.signal); // a composite, as the elector's per-session stop
    passed = true; // the deadline passes; no timer has run yet
    const round = new AbortController();
    const combined = anySignal(stop, round.signal);
    assert.equal(lost.signal.aborted, true, 'the judged source says lost when read');
    assert.equal(stop.aborted, true);
    assert.equal(combined.aborted, true);
    assert.equal((combined.reason as Error).message, 'renew deadline passed');
  });

  it('judges a judged signal passed to it directly: the combination is aborted at once when the deadline has passed', () => {
    const lost = judgedLost(() => true);
    const combined = anySignal(new AbortController().signal, lost.signal);
    assert.equal(combined.aborted, true);
    assert.equal((combined.reason as Error).message, 'renew deadline passed');
  });
});
