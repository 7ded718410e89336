/**
 * IdQueue: first in, first out; a value leaves from anywhere at once; a value that comes again
 * goes to the end. Emptying it visits each entry once (a Set taken from its front is O(n²)).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdQueue } from '../../../src/id-queue.js';

describe('IdQueue', () => {
  it('gives values back in arrival order, without the ones that left', () => {
    const queue = new IdQueue<number>();
    for (const value of [5, 1, 4, 2, 3]) queue.add(value);
    queue.add(1); // queued already: stays where it is
    assert.equal(queue.delete(4), true);
    assert.equal(queue.delete(4), false);
    assert.equal(queue.size, 4);
    assert.equal(queue.has(4), false);
    assert.equal(queue.shift(), 5);
    assert.deepEqual(queue.drain(), [1, 2, 3]);
    assert.equal(queue.shift(), undefined);
    assert.equal(queue.size, 0);
  });

  it('peek shows the first value without taking it, past the ones that left', () => {
    const queue = new IdQueue<number>();
    assert.equal(queue.peek(), undefined);
    for (const value of [1, 2, 3]) queue.add(value);
    queue.delete(1);
    assert.equal(queue.peek(), 2);
    assert.equal(queue.peek(), 2);
    assert.equal(queue.shift(), 2);
    assert.equal(queue.peek(), 3);
    assert.equal(queue.size, 1);
  });

  it('a value that left and came again stands at the end', () => {
    const queue = new IdQueue<string>();
    for (const value of ['a', 'b', 'c']) queue.add(value);
    queue.delete('a');
    queue.add('a');
    assert.deepEqual(queue.drain(), ['b', 'c', 'a']);
  });

  it('keeps order through compaction and rebuilds with 100,000 values', () => {
    const queue = new IdQueue<number>();
    const n = 100_000;
    for (let i = 0; i < n; i++) queue.add(i);
    for (let i = 1; i < n; i += 2) queue.delete(i); // odd ones leave from the middle
    for (let i = 0; i < n / 4; i += 2) assert.equal(queue.shift(), i);
    for (let i = 1; i < 1000; i += 2) queue.add(i); // back at the end
    const rest = queue.drain();
    assert.deepEqual(rest.slice(0, 3), [n / 4, n / 4 + 2, n / 4 + 4]);
    assert.equal(rest.length, (n - n / 4) / 2 + 500);
    assert.deepEqual(rest.slice(-2), [997, 999]);
  });
});
