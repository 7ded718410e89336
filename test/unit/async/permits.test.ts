/** Permits: the gate that bounds how many campaigns one node runs at once (issue 12). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Permits } from '../../../src/permits.js';

const never = new AbortController().signal;

describe('Permits', () => {
  it('admits up to the limit at once, then one waiter per release, in arrival order', async () => {
    const permits = new Permits(2);
    const first = await permits.acquire(never);
    const second = await permits.acquire(never);
    const admitted: string[] = [];
    const third = permits.acquire(never).then((release) => (admitted.push('third'), release));
    const fourth = permits.acquire(never).then((release) => (admitted.push('fourth'), release));
    await Promise.resolve();
    assert.deepEqual(admitted, []);
    first?.();
    first?.(); // a second release of the same permit frees nothing more
    await third;
    await Promise.resolve();
    assert.deepEqual(admitted, ['third']);
    second?.();
    await fourth;
    assert.deepEqual(admitted, ['third', 'fourth']);
  });

  it('a waiter whose signal aborts leaves the line and gets null; the permit goes to the next', async () => {
    const permits = new Permits(1);
    const held = await permits.acquire(never);
    const gaveUp = new AbortController();
    const leaving = permits.acquire(gaveUp.signal);
    const staying = permits.acquire(never);
    gaveUp.abort();
    assert.equal(await leaving, null);
    held?.();
    assert.equal(typeof (await staying), 'function');
    assert.equal(await permits.acquire(AbortSignal.abort()), null);
  });
});
