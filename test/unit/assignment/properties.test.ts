/**
 * Property tests for the five rules of the assignment engine (DESIGN.md "Assignment").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assign, countMoves } from '../../../src/assignment/index.js';
import type { Assignment, AssignmentInput } from '../../../src/assignment/index.js';
import { graceOf, holdsDuringGrace, idsOf, inputArb, liveLoads, liveNeed, referenceShares, shuffled, storedOf, withinOne } from './fixtures.js';

/** Enough runs to reach the corner cases (grace plus few nodes plus replicas) in a few seconds; BATON_PROPERTY_RUNS raises it for a soak. */
const RUNS = Number(process.env.BATON_PROPERTY_RUNS ?? 400);

/** Items of `input` whose primary place is open: stored primary not in grace, some live node. */
function openItems(input: AssignmentInput, result: Assignment): string[] {
  const grace = graceOf(input);
  const live = idsOf(input.nodes);
  return input.items.filter((item) => {
    const first = storedOf(input, item)[0];
    return !(first !== undefined && grace.has(first)) && (result[item] ?? []).some((id) => live.has(id));
  });
}

describe('assign: properties', () => {
  it('rule 1: every item gets distinct nodes: its grace nodes plus min(replicas, live + grace) - grace live ones', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = assign(input);
        const live = idsOf(input.nodes);
        const grace = graceOf(input);
        assert.deepEqual(Object.keys(result).sort(), [...input.items].sort());
        for (const item of input.items) {
          const list = result[item] ?? [];
          assert.equal(new Set(list).size, list.length, `item ${item} lists a node twice: ${list.join(',')}`);
          const liveOnItem = list.filter((id) => live.has(id));
          assert.equal(liveOnItem.length, liveNeed(input, item), `item ${item}: ${list.join(',')}`);
          assert.ok(list.every((id) => live.has(id) || grace.has(id)), `item ${item} has a dead node`);
          if (input.nodes.length >= (input.replicas ?? 1)) assert.ok(list.length >= (input.replicas ?? 1));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('rule 2: grace nodes keep exactly their stored slots, and a stored grace primary stays first', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = assign(input);
        for (const node of graceOf(input)) {
          const before = input.items.filter((item) => storedOf(input, item).includes(node));
          const after = input.items.filter((item) => (result[item] ?? []).includes(node));
          assert.deepEqual(after, before, `grace node ${node}`);
          for (const item of before) {
            if (storedOf(input, item)[0] === node) assert.equal(result[item]?.[0], node);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  /**
   * The fair share of a node sums its fair part of each item: the item's live slots split by
   * weight, at most one per node (plain slots * w / W when no part reaches 1, as with equal
   * weights); primaries likewise split each item's role among the nodes on it.
   */
  it('rule 3: live loads and primaries are within 1 of their weighted fair shares (unless held during a grace)', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = assign(input);
        if (holdsDuringGrace(input)) {
          // Stable under grace (grace-stability.test.ts): the stored lists come back as they are,
          // with the balance they had; it is restored when the grace ends.
          assert.deepEqual(result, Object.fromEntries(input.items.map((item) => [item, storedOf(input, item)])));
          return;
        }
        const weights = input.nodes.map((n) => n.weight ?? 1);
        // Each item splits its live slots by weight, at most one per node.
        const shares = weights.map(() => 0);
        for (const item of input.items) {
          referenceShares(liveNeed(input, item), weights, weights.map(() => 1)).forEach((part, i) => (shares[i] = (shares[i] as number) + part));
        }
        const loads = liveLoads(input, result);
        input.nodes.forEach((node, i) => {
          const load = loads.get(node.id) as number;
          assert.ok(withinOne(load, shares[i] as number), `node ${node.id} load ${load}, share ${shares[i]}`);
        });
        // Each open item's primary role is split by weight among the live nodes on it.
        const open = openItems(input, result);
        const primaryShares = weights.map(() => 0);
        for (const item of open) {
          const on = input.nodes.map((n, i) => (result[item]?.includes(n.id) ? i : -1)).filter((i) => i >= 0);
          const weight = on.reduce((s, i) => s + (weights[i] as number), 0);
          for (const i of on) primaryShares[i] = (primaryShares[i] as number) + (weights[i] as number) / weight;
        }
        input.nodes.forEach((node, i) => {
          const count = open.filter((item) => result[item]?.[0] === node.id).length;
          assert.ok(withinOne(count, primaryShares[i] as number), `node ${node.id} primaries ${count}, share ${primaryShares[i]}`);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('rule 4: assigning an assignment again changes nothing', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const first = assign(input);
        const again = assign({ ...input, previous: first });
        assert.deepEqual(again, first);
        assert.equal(countMoves(first, again), 0);
      }),
      { numRuns: RUNS },
    );
  });

  it('rule 5: the same input in any order gives the same output', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), (input, seed) => {
        const previous = input.previous ?? {};
        const reordered: AssignmentInput = {
          items: shuffled(input.items, seed),
          nodes: shuffled(input.nodes, seed + 1),
          replicas: input.replicas ?? 1,
          grace: shuffled(input.grace ?? [], seed + 2),
          previous: Object.fromEntries(shuffled(Object.keys(previous), seed + 3).map((k) => [k, previous[k] ?? []])),
        };
        assert.deepEqual(assign(reordered), assign(input));
      }),
      { numRuns: RUNS },
    );
  });

  it('zones: with equal zones and replicas <= zones, a fresh assignment spreads each item over distinct zones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 4 }), (zones, perZone, count, replicas) => {
        fc.pre(replicas <= zones);
        const nodes = Array.from({ length: zones * perZone }, (_, i) => ({ id: `n${i}`, zone: `z${i % zones}` }));
        const zoneOf = new Map(nodes.map((n) => [n.id, n.zone]));
        const result = assign({ items: Array.from({ length: count }, (_, i) => String(i)), nodes, replicas });
        for (const [item, list] of Object.entries(result)) {
          assert.equal(new Set(list.map((id) => zoneOf.get(id))).size, list.length, `item ${item}: ${list.join(',')}`);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
