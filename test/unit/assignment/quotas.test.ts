import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { shareBounds, slotShares, waterFill } from '../../../src/assignment/quotas.js';
import { referenceShares } from './fixtures.js';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

describe('fair shares', () => {
  it('water-fills like the reference and never exceeds a cap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ weight: fc.constantFrom(0.5, 1, 1.5, 2, 3, 10), cap: fc.integer({ min: 0, max: 20 }) }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (nodes, pick) => {
          const weights = nodes.map((n) => n.weight);
          const caps = nodes.map((n) => n.cap);
          const total = pick % (caps.reduce((s, c) => s + c, 0) + 1);
          const shares = waterFill(total, weights, caps);
          const reference = referenceShares(total, weights, caps);
          shares.forEach((share, i) => {
            assert.ok(close(share, reference[i] as number), `node ${i}: ${share} vs ${reference[i]}`);
            assert.ok(share <= (caps[i] as number) + 1e-9);
          });
          assert.ok(close(shares.reduce((s, x) => s + x, 0), total));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splits each item by weight with at most one slot per node', () => {
    // Two items needing 2 slots over weights 4, 1, 1: the heavy node is capped at 1 per item.
    assert.deepEqual(slotShares([2, 2], [4, 1, 1]), [2, 1, 1]);
    // Equal weights: plain slots / nodes.
    const shares = slotShares([1, 1, 1, 1, 1], [1, 1, 1]);
    shares.forEach((share) => assert.ok(close(share, 5 / 3)));
    assert.deepEqual(shareBounds(shares), { floor: [1, 1, 1], ceil: [2, 2, 2] });
  });

  it('gives floor = ceil for whole shares despite float error', () => {
    assert.deepEqual(shareBounds([2.9999999999999996, 3.0000000000000004, 0]), { floor: [3, 3, 0], ceil: [3, 3, 0] });
  });
});
