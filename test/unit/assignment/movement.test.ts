/**
 * Rule 4 (minimal movement) beyond stability: the lower bounds of a join and a leave, and the
 * exact minimum for single-replica items with an arbitrary stored assignment.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assign, countMoves, loadsOf } from '../../../src/assignment/index.js';
import type { Assignment } from '../../../src/assignment/index.js';
import { bruteForceMinimumMoves, smallInputArb } from './brute-force.js';
import { POOL, holdsDuringGrace, itemsArb, nodesArb } from './fixtures.js';

const RUNS = Number(process.env.BATON_PROPERTY_RUNS ?? 300);

const slotsOf = (assignment: Assignment) => Object.values(assignment).reduce((sum, list) => sum + list.length, 0);

describe('assign: minimal movement', () => {
  it('a join of one node to n equal nodes moves exactly the joiner\'s quota', () => {
    fc.assert(
      fc.property(nodesArb(true), itemsArb(80), fc.integer({ min: 1, max: 3 }), (nodes, items, replicas) => {
        const joiner = POOL.find((id) => !nodes.some((n) => n.id === id));
        fc.pre(joiner !== undefined);
        const before = assign({ items, nodes, replicas });
        const after = assign({ items, nodes: [...nodes, { id: joiner as string }], replicas, previous: before });
        const total = slotsOf(after);
        const quota = loadsOf(after).get(joiner as string) ?? 0;
        assert.ok(quota === Math.floor(total / (nodes.length + 1)) || quota === Math.ceil(total / (nodes.length + 1)), `joiner got ${quota} of ${total}`);
        assert.equal(countMoves(before, after), quota);
      }),
      { numRuns: RUNS },
    );
  });

  it('a leave moves exactly the leaver\'s slots with one replica, and at least those with more', () => {
    fc.assert(
      fc.property(nodesArb(true), itemsArb(80), fc.integer({ min: 1, max: 3 }), fc.nat(), (nodes, items, replicas, pick) => {
        fc.pre(nodes.length >= 2);
        const before = assign({ items, nodes, replicas });
        const leaver = (nodes[pick % nodes.length] as { id: string }).id;
        const after = assign({ items, nodes: nodes.filter((n) => n.id !== leaver), replicas, previous: before });
        const moves = countMoves(before, after);
        const lost = loadsOf(before).get(leaver) ?? 0;
        // With fewer nodes than replicas every item already holds every remaining node.
        if (nodes.length - 1 < replicas) assert.equal(moves, 0);
        else if (replicas === 1) assert.equal(moves, lost);
        // With replicas, distinctness can force one extra hop (a node on both of an item's
        // places must pass one on); the brute-force test below checks that it is still minimal.
        else assert.ok(moves >= lost, `moves ${moves} < lost ${lost}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('with one replica and equal weights, moves equal the minimum any balanced result needs', () => {
    const storedArb = fc.dictionary(fc.integer({ min: 0, max: 59 }).map(String), fc.constantFrom(...POOL).map((id) => [id]), { maxKeys: 60 });
    fc.assert(
      fc.property(nodesArb(true), itemsArb(60), storedArb, (nodes, items, previous) => {
        const after = assign({ items, nodes, previous });
        // Balanced loads are floor(S/L) or, for S mod L nodes, one more. A node keeps at most
        // min(held, its quota), and the extra units are best spent on nodes holding more.
        const live = new Set(nodes.map((n) => n.id));
        const held = new Map(nodes.map((n) => [n.id, 0]));
        for (const item of items) {
          const id = Object.hasOwn(previous, item) ? previous[item]?.[0] : undefined;
          if (id !== undefined && live.has(id)) held.set(id, (held.get(id) as number) + 1);
        }
        const floor = Math.floor(items.length / nodes.length);
        const extra = items.length % nodes.length;
        const base = [...held.values()].reduce((sum, h) => sum + Math.min(h, floor), 0);
        const aboveFloor = [...held.values()].filter((h) => h > floor).length;
        const minimum = items.length - base - Math.min(extra, aboveFloor);
        assert.equal(countMoves(previous, after), minimum);
      }),
      { numRuns: RUNS },
    );
  });

  it('a slot shed by a node over its ceiling goes where a node below its floor can take it (a random counterexample)', () => {
    // Stored live loads a=3, b=2, d=1; bounds a, b, f [1, 2] and d [3, 3]; item 1 needs two new
    // live slots anyway. Shedding a from item 2 (which holds d already) cost one move more than
    // shedding it from item 0: found by the brute-force property below.
    const input = {
      items: ['0', '1', '2', '3'],
      nodes: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }, { id: 'd', weight: 2 }, { id: 'f', weight: 1 }],
      replicas: 3,
      grace: ['c', 'e'],
      previous: { '0': ['a', 'c', 'e'], '1': ['c'], '2': ['b', 'd', 'a'], '3': ['a', 'b', 'c'] },
    };
    assert.equal(bruteForceMinimumMoves(input), 3);
    assert.equal(countMoves(input.previous, assign(input)), 3);
  });

  it('moves are the minimum on two more random counterexamples that need a chain of swaps to reach it', () => {
    const inputs = [
      { items: ['0', '1', '2'], nodes: [{ id: 'a' }, { id: 'c', weight: 0.5 }, { id: 'd', weight: 0.5 }, { id: 'f', weight: 2 }], replicas: 2, grace: ['b', 'e'], previous: { '0': ['b', 'd'], '1': ['b'], '2': ['f'] } },
      { items: ['0', '1', '2', '3'], nodes: [{ id: 'b', weight: 2 }, { id: 'e' }, { id: 'f' }], replicas: 3, grace: ['d'], previous: { '0': ['a', 'd', 'e'], '1': ['e', 'f', 'd'], '2': ['f', 'b'] } },
    ];
    for (const input of inputs) assert.equal(countMoves(input.previous, assign(input)), bruteForceMinimumMoves(input), JSON.stringify(input));
  });

  it('moves are the minimum over every balanced assignment (brute force on small inputs), and none while held during a grace', () => {
    fc.assert(
      fc.property(smallInputArb, (input) => {
        const result = assign(input);
        // Stable under grace (src/assignment/hold.ts): the stored lists stay as they are, with the
        // balance they had, so no balanced result is the bar (seen as a rare random failure:
        // about 1 run in 4 at 20,000 cases drew such an input).
        const minimum = holdsDuringGrace(input) ? 0 : bruteForceMinimumMoves(input);
        assert.equal(countMoves(input.previous, result), minimum);
      }),
      { numRuns: RUNS },
    );
  });
});
