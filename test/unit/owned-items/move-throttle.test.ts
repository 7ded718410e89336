/**
 * Throttled moves in the leader's pure pass (placeItems with move limits): the caps hold per
 * cluster and per node, every move is made eventually, an item nobody holds is placed at once,
 * and the moves chosen first are the same for the same inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Member } from '../../../src/contract/contract.js';
import { placeItems, type Placement, type StoredPlacement } from '../../../src/owned-items/place-items.js';
import { involved, type MoveLimits } from '../../../src/owned-items/move-throttle.js';

const member = (nodeId: string): Member => ({ nodeId, sessionId: `s-${nodeId}`, info: {} });
const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

function stored(assignment: Record<string, readonly string[]>): StoredPlacement {
  const nodes = new Set(Object.values(assignment).flat());
  return { assignment, graceUsedMs: new Map([...nodes].map((n) => [n, null])), departed: new Set() };
}

function pass(items: readonly string[], nodes: readonly string[], assignment: Record<string, readonly string[]>, limits: MoveLimits | undefined, inHandoff = new Map<string, readonly string[]>(), graceUsedMs = new Map<string, number>()): Placement {
  return placeItems({
    items,
    replicas: 1,
    members: nodes.map(member),
    stored: stored(assignment),
    graceUsedMs,
    offlineGraceMs: 1_000,
    ...(limits ? { throttle: { limits, inHandoff } } : {}),
  });
}

/** Items in handoff per node, counting each move on every node it involves. */
function perNode(started: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const nodes of started.values()) for (const n of nodes) counts.set(n, (counts.get(n) ?? 0) + 1);
  return counts;
}

/** Everything on a, b, c: 300 items, so a joining d takes 75 of them. */
const spread = (items: readonly string[]) => Object.fromEntries(items.map((item, i) => [item, [['a', 'b', 'c'][i % 3] as string]]));

describe('throttled moves (placeItems with move limits)', () => {
  const items = ids(300);
  const nodes = ['a', 'b', 'c', 'd'];

  it('a join moves at most maxMovesInFlight items now and keeps the rest as stored', () => {
    const free = pass(items, nodes, spread(items), undefined);
    assert.equal(free.moves, 75, 'unthrottled: d takes its share at once');
    const capped = pass(items, nodes, spread(items), { maxMovesInFlight: 10 });
    assert.equal(capped.moves, 10);
    assert.equal(capped.started.size, 10);
    assert.equal(capped.deferred, 65);
    for (const item of items) {
      const list = capped.assignment[item];
      assert.ok(capped.started.has(item) ? list?.[0] === 'd' : list?.[0] === spread(items)[item]?.[0], `item ${item} moved only if started`);
    }
  });

  it('the per-node cap holds on the receiving side (one joining node) and on the giving side', () => {
    const joined = pass(items, nodes, spread(items), { maxMovesPerNode: 7 });
    assert.equal(joined.started.size, 7, 'd receives every move, so d caps them');
    assert.ok([...perNode(joined.started).values()].every((n) => n <= 7));
    // a leaves for good: its 100 items go to b, c (and d); a gives every one of them.
    const onA = Object.fromEntries(items.map((item) => [item, [item <= '2' ? 'a' : 'b']]));
    const giving = pass(items, ['a', 'b', 'c', 'd'], onA, { maxMovesPerNode: 5, maxMovesInFlight: 100 });
    assert.ok([...perNode(giving.started).values()].every((n) => n <= 5), JSON.stringify([...perNode(giving.started)]));
    assert.ok(giving.started.size > 0);
  });

  it('items in handoff use the caps and keep their stored list until done', () => {
    const inHandoff = new Map<string, readonly string[]>([['1', ['a', 'd']], ['2', ['b', 'd']]]);
    const placed = pass(items, nodes, spread(items), { maxMovesInFlight: 5, maxMovesPerNode: 4 }, inHandoff);
    assert.equal(placed.started.size, 2, 'd has 2 of its 4 in handoff already');
    assert.ok(!placed.started.has('1') && !placed.started.has('2'));
    const full = pass(items, nodes, spread(items), { maxMovesInFlight: 2 }, inHandoff);
    assert.equal(full.started.size, 0);
    assert.equal(full.moves, 0);
  });

  it('every move is made eventually: passes that each complete the last handoffs reach the unthrottled spread', () => {
    let assignment: Record<string, readonly string[]> = spread(items);
    let passes = 0;
    for (;;) {
      const next = pass(items, nodes, assignment, { maxMovesInFlight: 8, maxMovesPerNode: 3 });
      assert.ok(next.started.size <= 3, 'd receives every move');
      assignment = { ...next.assignment };
      passes++;
      if (next.started.size === 0) break;
      assert.ok(passes < 1_000, 'converges');
    }
    assert.equal(pass(items, nodes, assignment, undefined).moves, 0, 'nothing left to move');
    const load = (n: string) => Object.values(assignment).filter((l) => l[0] === n).length;
    assert.deepEqual(nodes.map(load), [75, 75, 75, 75]);
  });

  it('an item nobody holds (never placed, or its node reclaimed) is placed at once whatever the caps', () => {
    const half = Object.fromEntries(items.slice(0, 150).map((item) => [item, ['a']]));
    const placed = pass(items, ['a', 'b'], half, { maxMovesInFlight: 1, maxMovesPerNode: 1 });
    assert.ok(items.every((item) => (placed.assignment[item] ?? []).length === 1), 'every item has a node');
    assert.ok(placed.started.size <= 1, 'at most one real move');
    // x vanished and is reclaimed (not live, no grace left): its items are orphans and move at once.
    const onX = Object.fromEntries(items.map((item) => [item, [Number(item) % 2 === 0 ? 'x' : 'a']]));
    const reclaimed = pass(items, ['a', 'b'], onX, { maxMovesInFlight: 1 }, new Map([['1', ['a', 'b']]]), new Map([['x', 1_000]]));
    assert.deepEqual(reclaimed.reclaimed, ['x']);
    assert.ok(items.every((item) => ['a', 'b'].includes(reclaimed.assignment[item]?.[0] ?? '')), 'x\'s items placed while the cap is full');
    assert.equal(reclaimed.started.size, 0, 'orphans are not counted as moves');
    assert.equal(reclaimed.moves, 0);
  });

  it('the moves chosen first are the same for the same inputs, in the items\' order', () => {
    const one = pass(items, nodes, spread(items), { maxMovesInFlight: 12, maxMovesPerNode: 12 });
    const two = pass(items, nodes, spread(items), { maxMovesInFlight: 12, maxMovesPerNode: 12 });
    assert.deepEqual([...one.started.keys()], [...two.started.keys()]);
    assert.deepEqual(one.assignment, two.assignment);
    const order = [...one.started.keys()].map((item) => items.indexOf(item));
    assert.deepEqual(order, [...order].sort((x, y) => x - y));
  });

  it('a standby swap involves the old and the new acting node; a new standby involves only the new node', () => {
    assert.deepEqual(involved(['a', 'b'], ['b', 'a']), ['a', 'b']);
    assert.deepEqual(involved(['a'], ['a', 'c']), ['c']);
    assert.deepEqual(involved(['a', 'b'], ['c', 'b']), ['a', 'c']);
  });

  it('a cap of 0 is no cap', () => {
    const free = pass(items, nodes, spread(items), { maxMovesInFlight: 0, maxMovesPerNode: 0 });
    assert.equal(free.moves, 75);
    assert.equal(free.deferred, 0);
  });
});
