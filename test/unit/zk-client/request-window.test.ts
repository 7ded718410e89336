/**
 * The request window of a ZooKeeper connection (src/zk-client/zk-request-window.ts): at most
 * its size out at once, the rest sent in call order as answers come in, and a request that
 * settled before its turn (timed out, aborted) never sent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestWindow, type WindowEntry } from '../../../src/zk-client/zk-request-window.js';

/** A request whose send runs `send`; `release` frees its room in `window`. */
function request(window: RequestWindow, send: () => boolean): () => void {
  const entry: WindowEntry = { send, windowState: 'waiting' };
  window.admit(entry);
  return () => window.release(entry);
}

describe('RequestWindow', () => {
  it('sends at most its size at once, the rest in call order as earlier ones are released', () => {
    const window = new RequestWindow(2);
    const sent: number[] = [];
    const releases = [0, 1, 2, 3, 4].map((i) => request(window, () => (sent.push(i), true)));
    assert.deepEqual(sent, [0, 1]);
    releases[1]!();
    assert.deepEqual(sent, [0, 1, 2]);
    releases[0]!();
    releases[0]!(); // a second release changes nothing
    assert.deepEqual(sent, [0, 1, 2, 3]);
    assert.equal(window.out, 2);
    releases[2]!();
    releases[3]!();
    releases[4]!();
    assert.deepEqual(sent, [0, 1, 2, 3, 4]);
    assert.equal(window.out, 0);
  });

  it('never sends a request released before its turn, and one that declines takes no room', () => {
    const window = new RequestWindow(1);
    const sent: string[] = [];
    const first = request(window, () => (sent.push('first'), true));
    const timedOut = request(window, () => (sent.push('timed out'), true));
    request(window, () => false); // settled in the meantime: declines when its turn comes
    request(window, () => (sent.push('last'), true));
    timedOut();
    first();
    assert.deepEqual(sent, ['first', 'last']);
    assert.equal(window.out, 1);
  });
});
