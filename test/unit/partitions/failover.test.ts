/**
 * Partitioned leadership on the memory backend with a FakeClock: standbys take over at once,
 * placement waits out the rebalance delay, replicas 1 reproduces Pinot's leaderless gap, a
 * suspended session drops its partitions at once, and the enable flag round-trips.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setResourceEnabled } from '../../../src/partitions/resource-admin.js';
import { Sim } from './sim-harness.js';

const DELAY = 300_000;

describe('partitioned leadership (memory backend, fake clock)', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim.close();
  });

  async function cluster(replicas: number, size = 3): Promise<Sim> {
    sim = new Sim({ replicas, rebalanceDelayMs: DELAY });
    for (let i = 1; i <= size; i++) await sim.start(`n${i}`);
    await sim.advance(5_000);
    assert.ok(sim.leaders().every((l) => l !== null), `every partition led: ${sim.leaders().join(',')}`);
    return sim;
  }

  it('every partition is led by its first placement node, and isLeaderFor agrees', async () => {
    await cluster(2);
    const placement = await sim.placement();
    assert.ok(placement !== null);
    for (const [p, leader] of sim.leaders().entries()) assert.equal(leader, placement.assignment[String(p)]?.[0]);
    const n1 = sim.nodes.get('n1')!.leadership;
    const answer = n1.isLeaderFor('baseballStats_OFFLINE');
    assert.equal(answer.partition, 7);
    assert.equal(answer.leader, sim.leaders()[7] === 'n1');
    assert.equal(n1.leaderOf('baseballStats_OFFLINE'), sim.leaders()[7]);
    assert.equal(answer.token !== null, answer.leader);
  });

  for (const size of [3, 5]) {
    it(`the partitions actually led spread within 1 over ${size} live nodes`, async () => {
      await cluster(2, size);
      const counts = new Map<string, number>();
      for (const leader of sim.leaders()) counts.set(leader!, (counts.get(leader!) ?? 0) + 1);
      assert.equal(counts.size, size);
      assert.ok(Math.max(...counts.values()) - Math.min(...counts.values()) <= 1, `led per node: ${[...counts.values()].join(',')}`);
    });
  }

  it('replicas 2: a crashed master\'s partitions get a new master at once; placement waits for the delay', async () => {
    await cluster(2);
    const before = await sim.placement();
    const victim = sim.leaders()[0]!;
    const theirs = sim.leaders().flatMap((l, p) => (l === victim ? [p] : []));
    await sim.crash(victim);
    await sim.advance(1_000);
    for (const p of theirs) {
      const standby = before!.assignment[String(p)]![1]!;
      assert.equal(sim.leaders()[p], standby, `partition ${p} taken over by its standby ${standby}`);
    }
    assert.deepEqual((await sim.placement())!.assignment, before!.assignment, 'placement unchanged inside the delay');
    await sim.advance(DELAY);
    const after = await sim.placement();
    assert.ok(Object.values(after!.assignment).every((list) => !list.includes(victim) && list.length === 2), 'placement moved after the delay');
    assert.ok(sim.leaders().every((l) => l !== null && l !== victim));
    assert.equal(sim.overlap, null);
  });

  it('replicas 2: a graceful stop hands its partitions to the standbys at once, before any expiry', async () => {
    await cluster(2);
    const before = await sim.placement();
    const leaving = sim.leaders()[0]!;
    const theirs = sim.leaders().flatMap((l, p) => (l === leaving ? [p] : []));
    await sim.stop(leaving);
    await sim.settle();
    for (const p of theirs) assert.equal(sim.leaders()[p], before!.assignment[String(p)]![1], `partition ${p} led by its standby with no time passing`);
    assert.equal(sim.overlap, null);
  });

  it('replicas 2: a restart inside the delay moves nothing, and the master gets its partitions back', async () => {
    await cluster(2);
    const before = await sim.placement();
    const victim = sim.leaders()[0]!;
    await sim.crash(victim);
    await sim.advance(60_000);
    await sim.start(victim);
    await sim.advance(5_000);
    assert.deepEqual((await sim.placement())!.assignment, before!.assignment, 'nothing moved');
    for (const [p, leader] of sim.leaders().entries()) assert.equal(leader, before!.assignment[String(p)]![0], `partition ${p} led by its master again`);
    assert.equal(sim.overlap, null);
  });

  it('replicas 1 (Pinot): a crashed master\'s partitions stay leaderless until the delay ends, then move', async () => {
    await cluster(1);
    const victim = sim.leaders()[0]!;
    const theirs = sim.leaders().flatMap((l, p) => (l === victim ? [p] : []));
    await sim.crash(victim);
    await sim.advance(DELAY - 10_000);
    for (const p of theirs) assert.equal(sim.leaders()[p], null, `partition ${p} leaderless inside the delay`);
    const survivor = sim.nodes.values().next().value!;
    assert.equal(survivor.leadership.leaderOfPartition(theirs[0]!), null, 'leaderOf says nobody');
    await sim.advance(20_000);
    for (const p of theirs) assert.ok(sim.leaders()[p] !== null && sim.leaders()[p] !== victim, `partition ${p} moved after the delay`);
    assert.equal(sim.overlap, null);
  });

  it('a suspended session drops its partitions at once, and takes them back when live again', async () => {
    await cluster(2);
    const node = sim.nodes.get('n2')!;
    const mine = node.leadership.leading();
    assert.ok(mine.length > 0);
    const stopped: number[] = [];
    node.leadership.on('released', (p) => void stopped.push(p));
    sim.store.isolate(node.session.id);
    await sim.advance(2_000, 500);
    assert.equal(node.session.state, 'suspended');
    assert.deepEqual(node.leadership.leading(), [], 'nothing led while suspended');
    assert.deepEqual(stopped.sort((a, b) => a - b), mine);
    sim.store.heal(node.session.id);
    // The resigns made while cut off never reached the store: the old terms expire after the ttl.
    await sim.advance(20_000, 500);
    assert.equal(node.session.state, 'live');
    assert.deepEqual(node.leadership.leading(), mine, 'the same partitions again');
    assert.equal(sim.overlap, null);
  });

  it('disabled: the cluster leader leads every key; enabled again: the masters do', async () => {
    await cluster(2);
    const leader = [...sim.nodes.values()].find((n) => n.elector.isLeader())!;
    await setResourceEnabled(leader.backend.kv, sim.options.name, false);
    await sim.advance(3_000);
    assert.ok(sim.leaders().every((l) => l === leader.nodeId), `all led by ${leader.nodeId}: ${sim.leaders().join(',')}`);
    for (const node of sim.nodes.values()) {
      assert.equal(node.leadership.enabled(), false);
      assert.equal(node.leadership.isLeaderFor('myTable').leader, node === leader);
    }
    await setResourceEnabled(leader.backend.kv, sim.options.name, true);
    await sim.advance(3_000);
    const placement = await sim.placement();
    for (const [p, l] of sim.leaders().entries()) assert.equal(l, placement!.assignment[String(p)]![0]);
    assert.equal(sim.overlap, null);
  });

  it('start-up does not wait out a store outage; the node catches up once the store is back', async () => {
    await cluster(2);
    const n4 = await sim.start('n4', (session) => sim.store.isolate(session.id));
    assert.deepEqual(n4.leadership.leading(), [], 'started, leading nothing while cut off');
    sim.store.heal(n4.session.id);
    await sim.advance(10_000);
    assert.ok(n4.leadership.leading().length > 0, 'leads its share once the store is back');
    assert.equal(sim.overlap, null);
  });
});
