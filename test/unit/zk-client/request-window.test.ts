/**
 * The request window of a ZooKeeper connection (src/zk-client/zk-request-window.ts): at most
 * its size out at once, the rest sent in call order as answers come in, and a request that
 * settled before its turn (timed out, aborted) never sent.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestWindow } from '../../../src/zk-client/zk-request-window.js';

describe('RequestWindow', () => {
  it('sends at most its size at once, the rest in call order as earlier ones are released', () => {
    const window = new RequestWindow(2);
    const sent: number[] = [];
    const releases = [0, 1, 2, 3, 4].map((i) => window.admit(() => (sent.push(i), true)));
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
    const first = window.admit(() => (sent.push('first'), true));
    const timedOut = window.admit(() => (sent.push('timed out'), true));
    window.admit(() => false); // settled in the meantime: declines when its turn comes
    window.admit(() => (sent.push('last'), true));
    timedOut();
    first();
    assert.deepEqual(sent, ['first', 'last']);
    assert.equal(window.out, 1);
  });
});
