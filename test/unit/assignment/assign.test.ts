/**
 * Example-based tests of the assignment engine: the scenarios the services meet, input
 * validation and the helpers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assign, countMoves, loadsOf, primariesOf } from '../../../src/assignment/index.js';
import type { AssignmentInput } from '../../../src/assignment/index.js';
import { InvalidArgumentError } from '../../../src/errors.js';

const buckets = Array.from({ length: 100 }, (_, i) => String(i + 1));
const partitions = Array.from({ length: 24 }, (_, i) => String(i));
const nodes = (...ids: string[]) => ids.map((id) => ({ id }));
const slots = (assignment: Record<string, readonly string[]>) => Object.values(assignment).reduce((sum, list) => sum + list.length, 0);

describe('assign: scenarios', () => {
  it('spreads 100 buckets over 3 nodes 34/33/33', () => {
    const result = assign({ items: buckets, nodes: nodes('a', 'b', 'c') });
    assert.deepEqual([...loadsOf(result).values()].sort(), [33, 33, 34]);
    assert.equal(slots(result), 100);
  });

  it('a join during another node\'s grace gives 100 assignments, not 133 (Amoro\'s fault)', () => {
    const before = assign({ items: buckets, nodes: nodes('a', 'b', 'c') });
    const held = loadsOf(before).get('c') as number;
    const during = assign({ items: buckets, nodes: nodes('a', 'b', 'd'), grace: ['c'], previous: before });
    assert.equal(slots(during), 100);
    assert.equal(loadsOf(during).get('c'), held, 'the grace node keeps its buckets');
    for (const item of buckets) {
      if (before[item]?.includes('c')) assert.deepEqual(during[item], ['c']);
    }
    // The 100 - held movable buckets are split evenly over a, b and the joiner d.
    const movable = 100 - held;
    for (const id of ['a', 'b', 'd']) {
      const load = loadsOf(during).get(id) as number;
      assert.ok(load === Math.floor(movable / 3) || load === Math.ceil(movable / 3), `${id}: ${load}`);
    }
    assert.equal(countMoves(before, during), loadsOf(during).get('d'));
    // After the grace period c's buckets move, and only those.
    const after = assign({ items: buckets, nodes: nodes('a', 'b', 'd'), previous: during });
    assert.equal(loadsOf(after).get('c'), undefined);
    assert.equal(countMoves(during, after), held);
    assert.deepEqual([...loadsOf(after).values()].sort(), [33, 33, 34]);
  });

  it('24 partitions, 3 nodes, 2 replicas: 16 slots and 8 primaries each', () => {
    const result = assign({ items: partitions, nodes: nodes('a', 'b', 'c'), replicas: 2 });
    for (const id of ['a', 'b', 'c']) {
      assert.equal(loadsOf(result).get(id), 16);
      assert.equal(primariesOf(result).get(id), 8);
    }
  });

  it('a standby takes over as listed primary once the primary\'s grace ends, and roles rebalance', () => {
    const before = assign({ items: partitions, nodes: nodes('a', 'b', 'c'), replicas: 2 });
    const during = assign({ items: partitions, nodes: nodes('a', 'b'), grace: ['c'], replicas: 2, previous: before });
    for (const item of partitions) {
      const list = before[item] as readonly string[];
      if (list[0] === 'c') assert.equal(during[item]?.[0], 'c', `grace primary of ${item} stays listed first`);
      if (list.includes('c')) assert.deepEqual(during[item], list, `item ${item} held by c is frozen`);
    }
    const after = assign({ items: partitions, nodes: nodes('a', 'b'), replicas: 2, previous: during });
    assert.deepEqual(primariesOf(after), new Map([['a', 12], ['b', 12]]));
    for (const item of partitions) assert.deepEqual([...(after[item] ?? [])].sort(), ['a', 'b']);
  });

  it('keeps items with live nodes while a grace node holds a place and replicas exceed live nodes', () => {
    const result = assign({ items: ['x'], nodes: nodes('a'), replicas: 3, grace: ['g'], previous: { x: ['g', 'b'] } });
    assert.deepEqual(result, { x: ['g', 'a'] });
  });

  it('puts replicas of an item in different zones when the zones allow it', () => {
    const zoned = [
      { id: 'a', zone: 'x' },
      { id: 'b', zone: 'x' },
      { id: 'c', zone: 'y' },
      { id: 'd', zone: 'y' },
      { id: 'e', zone: 'z' },
      { id: 'f', zone: 'z' },
    ];
    const zoneOf = new Map(zoned.map((n) => [n.id, n.zone]));
    const result = assign({ items: Array.from({ length: 30 }, (_, i) => String(i)), nodes: zoned, replicas: 3 });
    for (const [item, list] of Object.entries(result)) {
      assert.equal(new Set(list.map((id) => zoneOf.get(id))).size, 3, `item ${item}: ${list.join(',')}`);
    }
    assert.deepEqual([...loadsOf(result).values()], [15, 15, 15, 15, 15, 15]);
  });

  it('gives a node of weight 2 twice the share', () => {
    const result = assign({ items: buckets, nodes: [{ id: 'a', weight: 2 }, { id: 'b' }, { id: 'c' }] });
    assert.equal(loadsOf(result).get('a'), 50);
    assert.equal(loadsOf(result).get('b'), 25);
  });

  it('with no live nodes, items keep only their grace nodes or get []', () => {
    const result = assign({ items: ['1', '2', '3'], nodes: [], grace: ['g'], previous: { '1': ['g', 'dead'], '2': ['dead'] }, replicas: 2 });
    assert.deepEqual(result, { '1': ['g'], '2': [], '3': [] });
  });

  it('ignores stored items that no longer exist, dead nodes and duplicates in stored lists', () => {
    const result = assign({ items: ['1'], nodes: nodes('a', 'b'), replicas: 2, previous: { '1': ['b', 'b', 'zombie'], '9': ['a'] } });
    assert.deepEqual(result, { '1': ['b', 'a'] });
  });

  it('treats "__proto__" as an ordinary item id', () => {
    const result = assign({ items: ['__proto__', 'x'], nodes: nodes('a') });
    assert.deepEqual(Object.keys(result).sort(), ['__proto__', 'x']);
    assert.deepEqual(result['__proto__'], ['a']);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
  });

  it('returns a frozen result', () => {
    const result = assign({ items: ['1'], nodes: nodes('a') });
    assert.ok(Object.isFrozen(result));
  });
});

describe('assign: input validation', () => {
  const base: AssignmentInput = { items: ['1', '2'], nodes: nodes('a', 'b') };
  const cases: [string, AssignmentInput, RegExp][] = [
    ['duplicate node ids', { ...base, nodes: nodes('a', 'a') }, /node id "a" is listed twice/],
    ['weight 0', { ...base, nodes: [{ id: 'a', weight: 0 }] }, /weight 0/],
    ['negative weight', { ...base, nodes: [{ id: 'a', weight: -1 }] }, /weight -1/],
    ['NaN weight', { ...base, nodes: [{ id: 'a', weight: Number.NaN }] }, /weight NaN/],
    ['replicas 0', { ...base, replicas: 0 }, /replicas must be an integer >= 1, got 0/],
    ['fractional replicas', { ...base, replicas: 1.5 }, /got 1.5/],
    ['duplicate items', { ...base, items: ['1', '1'] }, /item "1" is listed twice/],
    ['empty item id', { ...base, items: [''] }, /non-empty string/],
    ['grace that is not an array', { ...base, grace: 'a' as unknown as string[] }, /grace must be an array/],
    ['stored list that is not an array', { ...base, previous: { '1': 'a' as unknown as string[] } }, /previous\["1"\] must be an array/],
  ];
  for (const [what, input, message] of cases) {
    it(`rejects ${what} with InvalidArgumentError`, () => {
      assert.throws(() => assign(input), (error: unknown) => error instanceof InvalidArgumentError && message.test(error.message));
    });
  }

  it('treats an id in both nodes and grace as live', () => {
    const result = assign({ items: ['1', '2'], nodes: nodes('a', 'b'), grace: ['b'], previous: { '1': ['b'], '2': ['b'] } });
    assert.deepEqual(loadsOf(result), new Map([['b', 1], ['a', 1]]));
  });
});

describe('assignment helpers', () => {
  it('count moves, loads and primaries', () => {
    const before = { '1': ['a', 'b'], '2': ['b', 'c'] };
    const next = { '1': ['b', 'a'], '2': ['c', 'd'], '3': ['a'] };
    assert.equal(countMoves(before, next), 2, 'a role swap is not a move; d on 2 and a on 3 are');
    assert.equal(countMoves(undefined, next), 5);
    assert.deepEqual(loadsOf(next), new Map([['b', 1], ['a', 2], ['c', 1], ['d', 1]]));
    assert.deepEqual(primariesOf(next), new Map([['b', 1], ['c', 1], ['a', 1]]));
  });
});
