/**
 * Issue 10, case 4 for partitions: `isLeaderFor`, `leading()` and `leaderOfPartition` are judged
 * on the monotonic clock when asked (memory backend, FakeClock). After a freeze past the renew
 * deadline no node answers that it leads, before any of its timers has run.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Sim } from './sim-harness.js';

describe('partitioned leadership: answers judged when asked', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim.close();
  });

  it('after a freeze past the renew deadline no node says it leads a partition, before any timer runs', async () => {
    sim = new Sim({ replicas: 2 });
    for (const id of ['n1', 'n2']) await sim.start(id);
    await sim.advance(5_000);
    const n1 = sim.nodes.get('n1')!;
    const mine = n1.leadership.leading();
    assert.ok(mine.length > 0, 'n1 leads some partitions');
    const partition = mine[0]!;
    const key = Array.from({ length: 10_000 }, (_, i) => `table_${i}`).find((k) => n1.leadership.partitionOf(k) === partition)!;
    assert.equal(n1.leadership.isLeaderFor(key).leader, true);
    assert.equal(n1.leadership.leaderOfPartition(partition), 'n1');
    sim.clock.jump(10_000); // the sim's renewDeadlineMs: every node froze that long
    for (const node of sim.nodes.values()) {
      assert.deepEqual(node.leadership.leading(), [], `${node.nodeId} leads nothing`);
      assert.equal(node.elector.isLeader(), false);
    }
    const answer = n1.leadership.isLeaderFor(key);
    assert.equal(answer.leader, false);
    assert.equal(answer.token, null);
    assert.notEqual(n1.leadership.leaderOfPartition(partition), 'n1');
  });

  it('isLeaderFor alone, asked first, ends the term', async () => {
    sim = new Sim({ replicas: 1 });
    await sim.start('n1');
    await sim.advance(5_000);
    const n1 = sim.nodes.get('n1')!;
    assert.equal(n1.leadership.isLeaderFor('orders').leader, true);
    sim.clock.jump(10_000);
    assert.equal(n1.leadership.isLeaderFor('orders').leader, false);
    await sim.settle();
    assert.equal(sim.holders.get(n1.leadership.partitionOf('orders'))?.size ?? 0, 0, 'the stopped listeners ran');
  });
});
