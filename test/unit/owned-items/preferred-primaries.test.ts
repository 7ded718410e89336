import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Member } from '../../../src/contract/contract.js';
import { placeItems, type Placement, type StoredPlacement } from '../../../src/owned-items/place-items.js';

const member = (nodeId: string): Member => ({ nodeId, sessionId: `s-${nodeId}`, info: {} });
const items = (n: number) => Array.from({ length: n }, (_, i) => String(i));

function storedOf(placement: Placement | null): StoredPlacement {
  const assignment = placement?.assignment ?? {};
  const nodes = new Set(Object.values(assignment).flat());
  return { assignment, graceUsedMs: new Map([...nodes].map((id) => [id, null])), departed: new Set() };
}

function pass(nodes: readonly string[], count: number, replicas: number, previous: Placement | null, preferredPrimaries?: Record<string, string>, extra: Partial<Parameters<typeof placeItems>[0]> = {}): Placement {
  return placeItems({ items: items(count), replicas, members: nodes.map(member), stored: storedOf(previous), graceUsedMs: new Map(), offlineGraceMs: 0, preferredPrimaries, ...extra });
}

describe('placeItems: preferred primaries (partitions.<name>.preferredMasters)', () => {
  it('a preferred node already on the item swaps roles: no slot moves', () => {
    const before = pass(['a', 'b', 'c'], 6, 2, null);
    const item = Object.keys(before.assignment).find((k) => before.assignment[k]![1] === 'c')!;
    const after = pass(['a', 'b', 'c'], 6, 2, before, { [item]: 'c' });
    assert.equal(after.assignment[item]![0], 'c');
    assert.deepEqual(new Set(after.assignment[item]), new Set(before.assignment[item]));
    assert.equal(after.moves, 0);
  });

  it('a preferred node not on the item takes its last slot and goes first; the node it displaced takes one of its slots (two moves, loads unchanged)', () => {
    const before = pass(['a', 'b', 'c'], 6, 1, null);
    const item = Object.keys(before.assignment).find((k) => before.assignment[k]![0] !== 'c')!;
    const after = pass(['a', 'b', 'c'], 6, 1, before, { [item]: 'c' });
    assert.deepEqual(after.assignment[item], ['c']);
    assert.equal(after.moves, 2);
    const load = (p: typeof before) => ['a', 'b', 'c'].map((id) => Object.values(p.assignment).filter((l) => l.includes(id)).length);
    assert.deepEqual(load(after), load(before));
  });

  it('a preferred node that is not live changes nothing', () => {
    const before = pass(['a', 'b'], 4, 2, null);
    assert.deepEqual(pass(['a', 'b'], 4, 2, before, { '0': 'z' }).assignment, before.assignment);
  });

  it('a node in its grace keeps its slot: the preference waits', () => {
    const before = pass(['a', 'b'], 2, 1, null);
    const item = Object.keys(before.assignment).find((k) => before.assignment[k]![0] === 'a')!;
    // a vanished, inside its grace; c joined and is preferred for a's item.
    const after = pass(['b', 'c'], 2, 1, before, { [item]: 'c' }, { offlineGraceMs: 60_000 });
    assert.deepEqual(after.assignment[item], ['a']);
  });

  it('stable: a second pass from the first moves nothing, and every live preferred node acts for its item', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(fc.nat(11), fc.nat(6)), { maxLength: 6 }),
        (nodeCount, count, replicas, prefs) => {
          const nodes = Array.from({ length: nodeCount }, (_, i) => `n${i}`);
          const preferred = Object.fromEntries(prefs.filter(([item]) => item < count).map(([item, node]) => [String(item), `n${node}`]));
          const first = pass(nodes, count, replicas, pass(nodes, count, replicas, null), preferred);
          for (const [item, node] of Object.entries(preferred)) if (nodes.includes(node)) assert.equal(first.assignment[item]![0], node, `item ${item}`);
          const second = pass(nodes, count, replicas, first, preferred);
          assert.deepEqual(second.assignment, first.assignment);
        },
      ),
      { numRuns: 300 },
    );
  });
});
