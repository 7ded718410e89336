/**
 * Amoro's bucket assignment scenarios and its two known faults, run on any backend. The
 * AssignService gets a FakeClock (grace and interval are driven by hand) and passes are run with
 * `tick()`, so the suite needs no waiting on real time except for the store itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Leadership } from '../../src/contract/index.js';
import { AssignService } from '../../src/buckets/assign-service.js';
import { assignmentsKey, lastUpdateKey } from '../../src/buckets/assignment-layout.js';
import { BucketOwner } from '../../src/buckets/bucket-owner.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { isBatonError } from '../../src/errors.js';
import { waitFor } from '../support/wait.js';
import { TestCluster, freshCluster, lead, loads, slotCount, storedTable, type BucketHarness, type TestNode } from './bucket-harness.js';

/** Offline grace used by the suite, on the service's FakeClock (any value works; time is fake). */
const GRACE_MS = 300_000;

function service(node: TestNode, leadership: Leadership, clock: FakeClock): AssignService {
  return new AssignService({ backend: node.backend, leadership, clock, buckets: { count: 100, offlineGraceMs: GRACE_MS } });
}

async function rawVersions(backend: Backend): Promise<Map<string, number>> {
  const entries = await backend.kv.list('bucket-assignments/');
  return new Map(entries.map((e) => [e.key, e.version]));
}

function assertBalanced(table: ReadonlyMap<string, readonly string[]>, nodes: readonly string[]): void {
  assert.deepEqual([...table.keys()].sort(), [...nodes].sort(), 'stored nodes');
  assert.deepEqual(slotCount(table), { slots: 100, distinct: 100 }, 'every bucket listed exactly once');
  const l = loads(table);
  assert.ok(Math.max(...l) - Math.min(...l) <= 1, `loads within 1: ${l.join(',')}`);
}

export function describeBucketScenarios(harness: BucketHarness): void {
  describe(`bucket assignment scenarios (${harness.name})`, () => {
    before(() => harness.setup());
    after(() => harness.teardown());

    async function withCluster(body: (cluster: TestCluster, clock: FakeClock) => Promise<void>): Promise<void> {
      const cluster = new TestCluster(harness, freshCluster('bk'));
      try {
        await body(cluster, new FakeClock());
      } finally {
        await cluster.close();
      }
    }

    it('spreads 100 buckets over 2 nodes within 1, all assigned', () =>
      withCluster(async (cluster, clock) => {
        const [a] = [await cluster.node('a'), await cluster.node('b')];
        await service(a, await lead(a), clock).tick();
        assertBalanced(await storedTable(a.backend), ['a', 'b']);
      }));

    it('gives a lost node\'s buckets to the survivor only after the grace', () =>
      withCluster(async (cluster, clock) => {
        const [a, b] = [await cluster.node('a'), await cluster.node('b')];
        const svc = service(a, await lead(a), clock);
        await svc.tick();
        const before = await storedTable(a.backend);
        await b.session.close();
        const first = await svc.tick();
        assert.deepEqual([...first.inGrace.keys()], ['b']);
        await clock.advance(GRACE_MS - 1);
        await svc.tick();
        assert.deepEqual(await storedTable(a.backend), before, 'nothing moves inside the grace');
        await clock.advance(1);
        const last = await svc.tick();
        assert.deepEqual(last.reclaimed, ['b']);
        const after = await storedTable(a.backend);
        assert.deepEqual([...after.keys()], ['a']);
        assert.equal(after.get('a')!.length, 100);
      }));

    it('lets old nodes keep the rest when a node joins (fewest moves)', () =>
      withCluster(async (cluster, clock) => {
        const [a] = [await cluster.node('a'), await cluster.node('b')];
        const svc = service(a, await lead(a), clock);
        await svc.tick();
        const before = await storedTable(a.backend);
        await cluster.node('c');
        const plan = await svc.tick();
        const after = await storedTable(a.backend);
        assertBalanced(after, ['a', 'b', 'c']);
        for (const id of ['a', 'b']) {
          assert.ok(after.get(id)!.every((bucket) => before.get(id)!.includes(bucket)), `${id} only lost buckets`);
        }
        assert.equal(plan.moves, after.get('c')!.length, 'only the joiner\'s share moved');
      }));

    it('reclaims at once the buckets of a vanished node with no last-update-time', () =>
      withCluster(async (cluster, clock) => {
        const [a, b] = [await cluster.node('a'), await cluster.node('b')];
        const svc = service(a, await lead(a), clock);
        await svc.tick();
        await a.backend.kv.delete(lastUpdateKey('b'));
        await b.session.close();
        const plan = await svc.tick();
        assert.deepEqual(plan.reclaimed, ['b']);
        assert.equal((await storedTable(a.backend)).get('a')!.length, 100);
      }));

    it('writes nothing from a tick whose term has ended', () =>
      withCluster(async (cluster, clock) => {
        const [a, b] = [await cluster.node('a'), await cluster.node('b')];
        const leadership = await lead(a);
        const svc = service(a, leadership, clock);
        await svc.tick();
        await cluster.node('c');
        const before = await rawVersions(a.backend);
        await leadership.resign();
        await assert.rejects(svc.tick(), (e) => isBatonError(e, 'NOT_LEADER'));
        assert.deepEqual(await rawVersions(b.backend), before);
        assert.equal(await svc.run(), 'term-ended');
      }));

    it('Amoro fault 1 fixed: a join during another node\'s grace leaves exactly one owner per bucket', () =>
      withCluster(async (cluster, clock) => {
        const [a, , c] = [await cluster.node('a'), await cluster.node('b'), await cluster.node('c')];
        const svc = service(a, await lead(a), clock);
        await svc.tick();
        const cHeld = (await storedTable(a.backend)).get('c')!;
        await c.session.close();
        await svc.tick();
        await cluster.node('d');
        await svc.tick();
        const during = await storedTable(a.backend);
        assert.deepEqual(slotCount(during), { slots: 100, distinct: 100 }, 'exactly 100 slots for 100 buckets');
        assert.deepEqual(during.get('c'), cHeld, 'the node in grace keeps exactly its buckets');
        const live = ['a', 'b', 'd'].map((id) => during.get(id)!.length);
        assert.ok(Math.max(...live) - Math.min(...live) <= 1, `live nodes share the rest evenly: ${live.join(',')}`);
        await clock.advance(GRACE_MS);
        await svc.tick();
        assertBalanced(await storedTable(a.backend), ['a', 'b', 'd']);
      }));

    it('Amoro fault 2 fixed: a graceful leave orphans no bucket', () =>
      withCluster(async (cluster, clock) => {
        const [a, b] = [await cluster.node('a'), await cluster.node('b')];
        const svc = service(a, await lead(a), clock);
        await svc.tick();
        const owner = new BucketOwner({ backend: b.backend, session: b.session });
        await owner.start();
        await waitFor('b to own its 50 buckets', () => owner.owned().length === 50);
        await owner.close();
        await b.session.close();
        const plan = await svc.tick();
        assert.deepEqual(plan.reclaimed, ['b']);
        const after = await storedTable(a.backend);
        assert.deepEqual([...after.keys()], ['a']);
        assert.equal(after.get('a')!.length, 100, 'every bucket has a live target at once');
      }));

    it('does not reshuffle on a leader change', () =>
      withCluster(async (cluster, clock) => {
        const [a, b] = [await cluster.node('a'), await cluster.node('b'), await cluster.node('c')];
        const first = await lead(a);
        await service(a, first, clock).tick();
        const before = await rawVersions(a.backend);
        await first.resign();
        const second = await lead(b);
        assert.ok(second.term > first.term, 'a new term');
        const plan = await service(b, second, new FakeClock(1_000_000)).tick();
        assert.equal(plan.moves, 0, 'no move on a leader change');
        assert.deepEqual(await rawVersions(b.backend), before, 'not one write');
      }));

    it('continues a vanished node\'s grace across a leader change instead of restarting it', () =>
      withCluster(async (cluster, clock) => {
        const [a, b, c] = [await cluster.node('a'), await cluster.node('b'), await cluster.node('c')];
        const first = await lead(a);
        const svcA = service(a, first, clock);
        await svcA.tick();
        await c.session.close();
        await svcA.tick();
        await clock.advance(GRACE_MS / 2);
        await svcA.tick();
        await first.resign();
        const second = await lead(b);
        const clockB = new FakeClock(5_000);
        const svcB = service(b, second, clockB);
        const plan = await svcB.tick();
        assert.equal(plan.inGrace.get('c'), GRACE_MS / 2, 'the new leader continues with half the grace left');
        await clockB.advance(GRACE_MS / 2);
        const last = await svcB.tick();
        assert.deepEqual(last.reclaimed, ['c']);
        assertBalanced(await storedTable(b.backend), ['a', 'b']);
      }));

    it('rejects a deposed leader\'s write (FencedError) and leaves the target unchanged', () =>
      withCluster(async (cluster, clock) => {
        const [a, b] = [await cluster.node('a'), await cluster.node('b')];
        const first = await lead(a);
        await service(a, first, clock).tick();
        await first.resign();
        const second = await lead(b);
        await service(b, second, clock).tick();
        await cluster.node('c');
        const before = await rawVersions(b.backend);
        // The deposed leader still believes in its term (its signal never fired): the store decides.
        const believed = new AbortController();
        const stale: Leadership = {
          election: first.election,
          term: first.term,
          fence: first.fence,
          signal: believed.signal,
          held: () => !believed.signal.aborted,
          resign: () => first.resign(),
        };
        try {
          await assert.rejects(service(a, stale, clock).tick(), (e) => isBatonError(e, 'FENCED'));
          assert.deepEqual(await rawVersions(b.backend), before, 'nothing landed');
          assert.equal(await service(a, stale, clock).run(), 'fenced');
          assert.deepEqual(await rawVersions(b.backend), before, 'nothing landed from run() either');
        } finally {
          believed.abort();
        }
      }));

    it('reports a corrupt assignment document with its key and repairs it', () =>
      withCluster(async (cluster, clock) => {
        const [a] = [await cluster.node('a'), await cluster.node('b')];
        const svc = service(a, await lead(a), clock);
        await svc.tick();
        const reported: string[] = [];
        await harness.writeRawKv(cluster.name, assignmentsKey('b'), '{not json');
        await storedTable(a.backend, 100, (e) => reported.push(e.key));
        assert.deepEqual(reported, [assignmentsKey('b')]);
        await svc.tick();
        assertBalanced(await storedTable(a.backend), ['a', 'b']);
        await harness.writeRawKv(cluster.name, assignmentsKey('a'), '["1","0","101","x"]');
        await svc.tick();
        assertBalanced(await storedTable(a.backend, 100, () => assert.fail('still corrupt')), ['a', 'b']);
      }));
  });
}
