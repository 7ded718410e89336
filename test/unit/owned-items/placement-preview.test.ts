/**
 * previewPlacement: the leader's pure pass over a stored layout with edited members; moves and
 * spread as `baton buckets plan` / `baton resource plan` print them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketLayout } from '../../../src/buckets/bucket-layout.js';
import type { NodeRecord } from '../../../src/buckets/assignment-layout.js';
import type { Member } from '../../../src/contract/contract.js';
import { previewPlacement } from '../../../src/owned-items/placement-preview.js';
import { placeItems } from '../../../src/owned-items/place-items.js';
import { storedBuckets } from '../../../src/buckets/plan.js';

const member = (nodeId: string, info: Member['info'] = {}): Member => ({ nodeId, sessionId: `s-${nodeId}`, info });
const record = (nodeId: string, buckets: string[], graceMs: number | null = null): [string, NodeRecord] => [nodeId, {
  nodeId,
  assignments: { value: buckets, version: 1 },
  lastUpdateTime: { value: 0, version: 1 },
  graceElapsedMs: graceMs === null ? null : { value: graceMs, version: 1 },
}];
const layout = bucketLayout(6);

describe('previewPlacement', () => {
  it('is the leader\'s pass: same assignment as placeItems on the same inputs; moves list only changed items', () => {
    const table = new Map([record('a', ['1', '2', '3']), record('b', ['4', '5', '6'])]);
    const members = [member('a'), member('b'), member('c')];
    const preview = previewPlacement({ layout, stored: table, members, gone: new Set(), offlineGraceMs: 1000 });
    const direct = placeItems({ items: [...layout.items], replicas: 1, members, stored: storedBuckets(table), graceUsedMs: new Map([['a', 0], ['b', 0]]), offlineGraceMs: 1000 });
    assert.deepEqual(preview.placement.assignment, direct.assignment);
    assert.equal(preview.moves.length, 2);
    assert.ok(preview.moves.every((m) => m.to[0] === 'c' && m.from.length === 1 && m.from[0] !== 'c'));
    assert.deepEqual(preview.loads.map((l) => [l.nodeId, l.acting, l.fairShare]), [['a', 2, 2], ['b', 2, 2], ['c', 2, 2]]);
    assert.deepEqual([preview.minSlots, preview.maxSlots], [2, 2]);
  });

  it('a vanished node inside its stored grace keeps its items; one named gone has its grace used up and its items move', () => {
    const table = new Map([record('a', ['1', '2', '3']), record('b', ['4', '5', '6'], 400)]);
    const waiting = previewPlacement({ layout, stored: table, members: [member('a')], gone: new Set(), offlineGraceMs: 1000 });
    assert.deepEqual(waiting.moves, []);
    assert.equal(waiting.placement.inGrace.get('b'), 600, 'grace left as last stored');
    assert.deepEqual(waiting.loads.map((l) => [l.nodeId, l.fairShare]), [['a', 6], ['b', null]]);
    const gone = previewPlacement({ layout, stored: table, members: [member('a')], gone: new Set(['b']), offlineGraceMs: 1000 });
    assert.deepEqual(gone.moves.map((m) => [m.item, m.from, m.to]), ['4', '5', '6'].map((b) => [b, ['b'], ['a']]));
    assert.deepEqual(gone.placement.reclaimed, ['b']);
  });

  it('a node asked to drain gives every item to the other live nodes at once; with every live node asked, nothing moves', () => {
    const table = new Map([record('a', ['1', '2', '3']), record('b', ['4', '5', '6'])]);
    const members = [member('a'), member('b'), member('c')];
    const drained = previewPlacement({ layout, stored: table, members, gone: new Set(), offlineGraceMs: 60_000, drainRequests: new Set(['a']) });
    assert.ok(Object.values(drained.placement.assignment).every((list) => list.length === 1 && list[0] !== 'a'), JSON.stringify(drained.placement.assignment));
    assert.deepEqual(drained.moves.map((m) => m.item).sort(), ['1', '2', '3'], 'only the drained node\'s items move');
    assert.deepEqual(drained.loads.map((l) => l.nodeId), ['b', 'c']);
    const everyone = previewPlacement({ layout, stored: table, members: [member('a'), member('b')], gone: new Set(), offlineGraceMs: 60_000, drainRequests: new Set(['a', 'b']) });
    assert.deepEqual(everyone.moves, [], 'nobody could take over');
  });

  it('weights from the members\' info set the fair share and the spread', () => {
    const table = new Map([record('a', ['1', '2', '3']), record('b', ['4', '5', '6'])]);
    const preview = previewPlacement({ layout, stored: table, members: [member('a', { weight: 2 }), member('b')], gone: new Set(), offlineGraceMs: 0 });
    assert.deepEqual(preview.loads.map((l) => [l.nodeId, l.weight, l.acting, l.fairShare]), [['a', 2, 4, 4], ['b', 1, 2, 2]]);
  });
  it('under move caps: the first step is what the leader\'s throttled pass makes, and the steps in all until the layout is balanced', () => {
    const many = bucketLayout(60);
    const ids = many.items.map(String);
    const table = new Map([record('a', ids.slice(0, 30)), record('b', ids.slice(30))]);
    const members = [member('a'), member('b'), member('c')];
    const limits = { maxMovesInFlight: 6, maxMovesPerNode: 4 };
    const preview = previewPlacement({ layout: many, stored: table, members, gone: new Set(), offlineGraceMs: 1000, limits });
    const direct = placeItems({ items: ids, replicas: 1, members, stored: storedBuckets(table), graceUsedMs: new Map([['a', 0], ['b', 0]]), offlineGraceMs: 1000, throttle: { limits, inHandoff: new Map() } });
    assert.deepEqual(preview.firstStep.map((m) => m.item), [...direct.started.keys()], 'the first step is the leader\'s next pass');
    assert.equal(preview.firstStep.length, 4, 'c receives every move: its cap of 4 paces them');
    assert.equal(preview.moves.length, 20, 'c ends with its share');
    assert.equal(preview.steps, 5);
    assert.deepEqual([preview.minSlots, preview.maxSlots], [20, 20]);
    const free = previewPlacement({ layout: many, stored: table, members, gone: new Set(), offlineGraceMs: 1000 });
    assert.deepEqual([free.steps, free.firstStep.length, free.moves.length], [1, 20, 20]);
  });
});
