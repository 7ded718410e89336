/**
 * Properties of one assignment pass (planAssignment) over random stored tables, including
 * tables that list a bucket twice (the state Amoro's fault leaves behind), corrupt documents,
 * graceful leavers and nodes in grace. The writes are applied to a simulated versioned store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Json } from '../../../src/contract/json.js';
import type { Member } from '../../../src/contract/contract.js';
import { assignmentsKey, graceKey, lastUpdateKey, type NodeRecord } from '../../../src/buckets/assignment-layout.js';
import { bucketIds } from '../../../src/buckets/bucket-ids.js';
import { planAssignment, type KvOp } from '../../../src/buckets/plan.js';

const GRACE_MS = 1_000;
const POOL = ['a', 'b', 'c', 'd', 'e'];
/** Enough random tables to hit duplicates, corrupt documents and empty clusters in about a second; BATON_PROPERTY_RUNS raises it. */
const RUNS = Number(process.env['BATON_PROPERTY_RUNS'] ?? 300);

type Store = Map<string, { value: Json | 'CORRUPT'; version: number }>;

interface Case {
  readonly count: number;
  readonly store: Store;
  readonly live: readonly string[];
  readonly graceUsed: ReadonlyMap<string, number>;
}

const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 1, max: 24 }).chain((count) =>
  fc.record({
    count: fc.constant(count),
    folders: fc.array(
      fc.record({
        node: fc.constantFrom(...POOL),
        doc: fc.oneof(fc.constant<'absent'>('absent'), fc.constant<'corrupt'>('corrupt'), fc.subarray(bucketIds(count))),
        lastUpdate: fc.boolean(),
        grace: fc.option(fc.integer({ min: 0, max: 2 * GRACE_MS }), { nil: undefined }),
        version: fc.integer({ min: 1, max: 5 }),
      }),
      { maxLength: 5 },
    ),
    live: fc.subarray(POOL),
    used: fc.array(fc.integer({ min: 0, max: 2 * GRACE_MS }), { minLength: POOL.length, maxLength: POOL.length }),
  }).map(({ count, folders, live, used }) => {
    const store: Store = new Map();
    for (const f of folders) {
      if (f.doc !== 'absent') store.set(assignmentsKey(f.node), { value: f.doc === 'corrupt' ? 'CORRUPT' : f.doc, version: f.version });
      if (f.lastUpdate) store.set(lastUpdateKey(f.node), { value: 1_700_000_000_000, version: f.version });
      if (f.grace !== undefined) store.set(graceKey(f.node), { value: { elapsedMs: f.grace }, version: f.version });
    }
    return { count, store, live, graceUsed: new Map(POOL.map((n, i) => [n, used[i]!])) };
  }),
);

function tableOf(store: Store): Map<string, NodeRecord> {
  const table = new Map<string, NodeRecord>();
  for (const node of POOL) {
    const get = (key: string) => store.get(key);
    const a = get(assignmentsKey(node));
    const l = get(lastUpdateKey(node));
    const g = get(graceKey(node));
    if (!a && !l && !g) continue;
    table.set(node, {
      nodeId: node,
      assignments: a === undefined ? null : a.value === 'CORRUPT' ? 'corrupt' : { value: [...new Set(a.value as string[])].sort((x, y) => Number(x) - Number(y)), version: a.version },
      lastUpdateTime: l === undefined ? null : { value: l.value as number, version: l.version },
      graceElapsedMs: g === undefined ? null : { value: (g.value as { elapsedMs: number }).elapsedMs, version: g.version },
    });
  }
  return table;
}

/** Applies ops like AssignService does (versions chained within the pass), checking expectVersion. */
function apply(store: Store, ops: readonly KvOp[], versions: Map<string, number>): void {
  for (const op of ops) {
    const current = store.get(op.key);
    const expect = versions.get(op.key) ?? op.expect;
    if (expect !== undefined) assert.equal(current?.version ?? null, expect, `expectVersion of ${op.kind} ${op.key}`);
    if (op.kind === 'put') {
      const version = (current?.version ?? 0) + 1;
      store.set(op.key, { value: op.value, version });
      versions.set(op.key, version);
    } else {
      store.delete(op.key);
    }
  }
}

function listed(store: Store): string[] {
  return [...store].filter(([key, e]) => key.endsWith('/assignments') && e.value !== 'CORRUPT').flatMap(([, e]) => e.value as string[]);
}

describe('planAssignment: properties over random stored tables', () => {
  it('never lists a bucket twice between the phases, reaches the target, and covers every bucket once', () => {
    fc.assert(
      fc.property(caseArb, ({ count, store: generated, live, graceUsed }) => {
        const store: Store = new Map(generated);
        const members: Member[] = live.map((nodeId) => ({ nodeId, sessionId: `s-${nodeId}`, info: {} }));
        const table = tableOf(store);
        const plan = planAssignment({ bucketCount: count, members, table, graceUsedMs: graceUsed, offlineGraceMs: GRACE_MS, wallNow: 5 });
        const versions = new Map<string, number>();
        apply(store, plan.phases[0], versions);
        const between = listed(store);
        assert.equal(new Set(between).size, between.length, 'after phase 1 no bucket is listed twice');
        apply(store, plan.phases[1], versions);
        for (const [node, buckets] of plan.target) {
          assert.deepEqual(store.get(assignmentsKey(node))?.value, [...buckets], `${node}'s stored target`);
        }
        for (const node of plan.reclaimed) {
          assert.ok(![assignmentsKey(node), lastUpdateKey(node), graceKey(node)].some((k) => store.has(k)), `${node}'s folder is gone`);
        }
        const after = listed(store);
        assert.equal(new Set(after).size, after.length, 'no bucket listed twice at the end');
        if (live.length > 0) assert.equal(after.length, count, 'every bucket listed once');
        for (const [node] of plan.inGrace) {
          assert.ok(!live.includes(node) && (graceUsed.get(node) ?? 0) < GRACE_MS, `${node} is gone and inside its grace`);
          assert.ok(table.get(node)?.lastUpdateTime !== null, `${node} did not leave gracefully`);
        }
        const loads = live.map((n) => plan.target.get(n)?.length ?? 0);
        if (plan.inGrace.size === 0 && loads.length > 0) assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `balanced: ${loads.join(',')}`);
        // A second pass over the result changes nothing.
        const again = planAssignment({ bucketCount: count, members, table: tableOf(store), graceUsedMs: graceUsed, offlineGraceMs: GRACE_MS, wallNow: 6 });
        const writes = [...again.phases[0], ...again.phases[1]].filter((op) => !op.key.endsWith('/offline-grace'));
        assert.deepEqual(writes, [], 'a second pass writes no assignment');
      }),
      { numRuns: RUNS },
    );
  });

  it('repairs Amoro\'s 133-slot state to exactly one owner per bucket', () => {
    const store: Store = new Map();
    const all = bucketIds(100);
    store.set(assignmentsKey('a'), { value: all.slice(0, 50), version: 1 });
    store.set(assignmentsKey('b'), { value: all.slice(50), version: 1 });
    store.set(assignmentsKey('c'), { value: all.filter((_, i) => i % 3 === 0), version: 1 });
    for (const n of ['a', 'b', 'c']) store.set(lastUpdateKey(n), { value: 1, version: 1 });
    assert.equal(listed(store).length, 134);
    const members = ['a', 'b', 'c'].map((nodeId) => ({ nodeId, sessionId: nodeId, info: {} }));
    const plan = planAssignment({ bucketCount: 100, members, table: tableOf(store), graceUsedMs: new Map(), offlineGraceMs: GRACE_MS, wallNow: 1 });
    const versions = new Map<string, number>();
    apply(store, plan.phases[0], versions);
    apply(store, plan.phases[1], versions);
    assert.equal(listed(store).length, 100);
    assert.equal(new Set(listed(store)).size, 100);
  });
});
