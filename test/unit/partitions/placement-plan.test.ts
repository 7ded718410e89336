import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Member } from '../../../src/contract/contract.js';
import { planPlacement } from '../../../src/partitions/placement-plan.js';
import { validateResourceOptions } from '../../../src/partitions/resource-options.js';

const options = validateResourceOptions({ name: 'leadControllerResource' });
const members = (ids: string[]): Member[] => ids.map((nodeId) => ({ nodeId, sessionId: `s-${nodeId}`, info: {} }));
const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);

function counts(assignment: Readonly<Record<string, readonly string[]>>, position: 0 | 'any'): Map<string, number> {
  const result = new Map<string, number>();
  for (const list of Object.values(assignment)) {
    for (const [i, id] of list.entries()) if (position === 'any' || i === position) result.set(id, (result.get(id) ?? 0) + 1);
  }
  return result;
}

describe('planPlacement (24 partitions, 2 replicas)', () => {
  for (const size of [3, 5]) {
    it(`spreads masters and slots within 1 over ${size} nodes, standby never on its master's node`, () => {
      const { doc } = planPlacement({ options, live: members(ids(size)), previous: null, graceUsedMs: new Map() });
      const masters = [...counts(doc.assignment, 0).values()];
      assert.equal(masters.length, size, 'every node masters something');
      assert.equal(masters.reduce((a, b) => a + b, 0), 24);
      assert.ok(Math.max(...masters) - Math.min(...masters) <= 1, `masters per node ${masters.join(',')}`);
      const slots = [...counts(doc.assignment, 'any').values()];
      assert.ok(Math.max(...slots) - Math.min(...slots) <= 1, `slots per node ${slots.join(',')}`);
      for (const [partition, list] of Object.entries(doc.assignment)) {
        assert.equal(list.length, 2, `partition ${partition} has a master and a standby`);
        assert.notEqual(list[0], list[1], `partition ${partition}: standby on the master's node`);
      }
    });
  }

  it('a node gone for less than the delay keeps its places; after the delay they move', () => {
    const first = planPlacement({ options, live: members(ids(3)), previous: null, graceUsedMs: new Map() }).doc;
    const within = planPlacement({ options, live: members(['n1', 'n2']), previous: first, graceUsedMs: new Map([['n3', 299_999]]) });
    assert.deepEqual(within.doc.assignment, first.assignment, 'nothing moves inside the delay');
    assert.deepEqual([...within.inGrace.keys()], ['n3']);
    assert.equal(within.doc.graceElapsedMs['n3'], 299_999, 'the grace used is stored for the next leader');
    const after = planPlacement({ options, live: members(['n1', 'n2']), previous: within.doc, graceUsedMs: new Map([['n3', 300_000]]) });
    assert.ok(Object.values(after.doc.assignment).every((list) => !list.includes('n3') && list.length === 2), 'n3 is gone from every list');
    assert.deepEqual(after.doc.graceElapsedMs, {});
  });

  it('an unchanged input needs no write', () => {
    const first = planPlacement({ options, live: members(ids(3)), previous: null, graceUsedMs: new Map() });
    assert.equal(first.changed, true);
    const again = planPlacement({ options, live: members(ids(3)), previous: first.doc, graceUsedMs: new Map() });
    assert.equal(again.changed, false);
  });
});
