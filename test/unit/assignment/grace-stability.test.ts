/**
 * Stability under grace: when the only change is that nodes moved from live to grace (or back),
 * the engine returns `previous` unchanged: grace slots are frozen, and neither slots nor primary
 * roles move among the live nodes because of them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assign } from '../../../src/assignment/index.js';
import type { AssignmentNode } from '../../../src/assignment/index.js';
import { itemsArb, nodesArb } from './fixtures.js';

const RUNS = Number(process.env.BATON_PROPERTY_RUNS ?? 400);

/** Live nodes, a balanced assignment over them, and a non-empty subset that goes into grace. */
const scenarioArb = fc
  .record({ items: itemsArb(40).filter((items) => items.length >= 8), nodes: nodesArb(), replicas: fc.integer({ min: 1, max: 4 }) })
  .chain(({ items, nodes, replicas }) =>
    fc.record({
      items: fc.constant(items),
      nodes: fc.constant(nodes),
      replicas: fc.constant(replicas),
      away: fc.subarray(nodes.map((n) => n.id), { minLength: 1 }),
      back: fc.nat(),
    }),
  );

const without = (nodes: readonly AssignmentNode[], ids: readonly string[]) => nodes.filter((n) => !ids.includes(n.id));

describe('assign: stable under grace', () => {
  it('nodes going into grace move nothing, primaries included, and coming back moves nothing either', () => {
    fc.assert(
      fc.property(scenarioArb, ({ items, nodes, replicas, away, back }) => {
        const before = assign({ items, nodes, replicas });
        // A live node that holds nothing cannot be told from a joiner, which is owed its share at
        // once; so the rule covers assignments that give every node a slot (items >= nodes).
        const holders = new Set(Object.values(before).flat());
        fc.pre(nodes.every((n) => holders.has(n.id)));
        const during = assign({ items, nodes: without(nodes, away), replicas, grace: away, previous: before });
        assert.deepEqual(during, before, 'live -> grace');
        // Some of them come back while the others are still in grace.
        const returned = away.slice(0, back % (away.length + 1));
        const stillAway = away.filter((id) => !returned.includes(id));
        const partly = assign({ items, nodes: without(nodes, stillAway), replicas, grace: stillAway, previous: during });
        assert.deepEqual(partly, before, 'some grace -> live');
        assert.deepEqual(assign({ items, nodes, replicas, previous: partly }), before, 'grace -> live');
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps a master role where the live-only fair share would move it (the case that used to swap masters)', () => {
    // Balanced over a, b, c (4 slots and 2 masters each). With a in grace, the items a stands
    // by for force b to be their master, so a live-only share would move a [c, b] master to b.
    const previous = { '0': ['b', 'a'], '1': ['b', 'a'], '2': ['a', 'c'], '3': ['a', 'c'], '4': ['c', 'b'], '5': ['c', 'b'] };
    const items = Object.keys(previous);
    assert.deepEqual(assign({ items, nodes: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], replicas: 2, previous }), previous, 'balanced with a live');
    assert.deepEqual(assign({ items, nodes: [{ id: 'b' }, { id: 'c' }], replicas: 2, grace: ['a'], previous }), previous);
  });

  it('still runs during a grace when a live node is owed slots (a join) or a list is short', () => {
    const previous = { '0': ['a', 'b'], '1': ['b', 'a'], '2': ['a', 'b'], '3': ['b', 'a'] };
    const items = Object.keys(previous);
    const joined = assign({ items, nodes: [{ id: 'b' }, { id: 'c' }], replicas: 2, grace: ['a'], previous });
    assert.ok(Object.values(joined).some((list) => list.includes('c')), 'the joiner got slots during the grace');
    const short = assign({ items, nodes: [{ id: 'b' }, { id: 'c' }], replicas: 3, grace: ['a'], previous });
    assert.ok(Object.values(short).every((list) => list.length === 3), 'raised replicas filled during the grace');
  });
});
