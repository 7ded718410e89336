/**
 * The leader's placement memo (placement-memo.ts): a pass whose input equals the last one's gets
 * the last placement without planning again; any change of an input plans again, and so does
 * every throttled pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Member } from '../../../src/contract/contract.js';
import { placeItems, type PlaceItemsInput, type Placement } from '../../../src/owned-items/place-items.js';
import { PlacementMemo } from '../../../src/owned-items/placement-memo.js';

const member = (nodeId: string, info = {}): Member => ({ nodeId, sessionId: `s-${nodeId}`, info });
const ITEMS = Array.from({ length: 12 }, (_, i) => String(i + 1));

/** The input of a pass over `nodes`, with `stored` as the layout read. */
function input(nodes: readonly Member[], stored: Placement | null, extra: Partial<PlaceItemsInput> = {}): PlaceItemsInput {
  const assignment = stored?.assignment ?? {};
  const named = new Set(Object.values(assignment).flat());
  return {
    items: ITEMS,
    replicas: 1,
    members: nodes,
    stored: { assignment, graceUsedMs: new Map([...named].map((id) => [id, null])), departed: new Set() },
    graceUsedMs: new Map(),
    offlineGraceMs: 60_000,
    ...extra,
  };
}

/** A memo over placeItems that counts how often it plans. */
function counted(): { memo: PlacementMemo; plans: () => number } {
  let plans = 0;
  const memo = new PlacementMemo((i) => {
    plans++;
    return placeItems(i);
  });
  return { memo, plans: () => plans };
}

describe('PlacementMemo: the leader plans again only when an input changed', () => {
  const nodes = [member('a'), member('b'), member('c')];
  const settled = placeItems(input(nodes, null));

  it('a pass with the input of the last one (new objects, equal content) gets its placement without planning', () => {
    const { memo, plans } = counted();
    const first = memo.place(input(nodes, settled));
    const again = memo.place(input(nodes.map((m) => ({ ...m })), { ...settled, assignment: { ...settled.assignment } }));
    assert.equal(plans(), 1);
    assert.equal(again, first);
    assert.deepEqual(again, placeItems(input(nodes, settled)));
  });

  const changes: readonly [string, PlaceItemsInput][] = [
    ['a node joined', input([...nodes, member('d')], settled)],
    ['a node vanished', input(nodes.slice(0, 2), settled)],
    ['a node advertises other info (a weight)', input([member('a', { weight: 2 }), member('b'), member('c')], settled)],
    ['the stored layout changed', input(nodes, { ...settled, assignment: { ...settled.assignment, '1': ['b'] } })],
    ['a node left gracefully', (() => {
      const i = input(nodes, settled);
      return { ...i, stored: { ...i.stored, departed: new Set(['a']) } };
    })()],
    ['a vanished node used more of its grace', input(nodes.slice(0, 2), settled, { graceUsedMs: new Map([['c', 5_000]]) })],
    ['another grace', input(nodes, settled, { offlineGraceMs: 1_000 })],
    ['other replicas', input(nodes, settled, { replicas: 2 })],
    ['a preferred primary', input(nodes, settled, { preferredPrimaries: { '1': 'c' } })],
    ['another item list', input(nodes, settled, { items: [...ITEMS, '13'] })],
  ];
  for (const [what, changed] of changes) {
    it(`plans again when ${what}`, () => {
      const { memo, plans } = counted();
      memo.place(input(nodes, settled));
      const placement = memo.place(changed);
      assert.equal(plans(), 2);
      assert.deepEqual(placement, placeItems(changed));
    });
  }

  it('plans every throttled pass: the handoffs it depends on are not in the input it compares', () => {
    const { memo, plans } = counted();
    const throttled = input(nodes, settled, { throttle: { limits: { maxMovesInFlight: 1 }, inHandoff: new Map() } });
    memo.place(throttled);
    memo.place(throttled);
    memo.place(input(nodes, settled));
    memo.place(throttled);
    assert.equal(plans(), 4);
  });
});
