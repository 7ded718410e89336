/**
 * Randomized churn on the memory backend with a fake clock: crashes, restarts, cut-offs, heals
 * and enable/disable flips in a seeded random order. At no moment do two nodes lead one
 * partition, and once things calm down every partition is led again.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setResourceEnabled } from '../../../src/partitions/resource-admin.js';
import { Sim } from './sim-harness.js';
import { seededRandom } from '../../../src/testing/seeded-random.js';


describe('partition churn (memory backend, fake clock)', () => {
  let sim: Sim;
  afterEach(async () => {
    await sim.close();
  });

  const seeds = (process.env['BATON_PARTITION_SEEDS'] ?? '1,2,3').split(',').map(Number);
  for (const seed of seeds) {
    it(`never two leaders of a partition, and all led again after the churn (seed ${seed})`, async () => {
      const random = seededRandom(seed);
      sim = new Sim({ partitions: 12, replicas: 2, rebalanceDelayMs: 30_000 });
      const ids = ['n1', 'n2', 'n3', 'n4'];
      for (const id of ids) await sim.start(id);
      await sim.advance(5_000);
      const isolated = new Set<string>();
      const actions: string[] = [];
      for (let step = 0; step < 25; step++) {
        const roll = random();
        const down = ids.filter((id) => !sim.nodes.has(id));
        const up = [...sim.nodes.keys()];
        if (roll < 0.25 && up.length > 2) {
          const id = up[Math.floor(random() * up.length)]!;
          actions.push(`crash ${id}`);
          isolated.delete(id);
          await sim.crash(id);
        } else if (roll < 0.5 && down.length > 0) {
          const id = down[Math.floor(random() * down.length)]!;
          actions.push(`start ${id}`);
          await sim.start(id);
        } else if (roll < 0.65 && up.length > 0) {
          const node = sim.nodes.get(up[Math.floor(random() * up.length)]!)!;
          if (isolated.has(node.nodeId)) {
            sim.store.heal(node.session.id);
            isolated.delete(node.nodeId);
            actions.push(`heal ${node.nodeId}`);
          } else {
            sim.store.isolate(node.session.id);
            isolated.add(node.nodeId);
            actions.push(`isolate ${node.nodeId}`);
          }
        } else if (roll < 0.75 && up.length > 0) {
          const enabled = random() < 0.6;
          const writer = [...sim.nodes.values()].find((n) => !isolated.has(n.nodeId));
          if (writer !== undefined) {
            actions.push(enabled ? 'enable' : 'disable');
            await setResourceEnabled(writer.backend.kv, sim.options.name, enabled);
          }
        }
        await sim.advance(Math.floor(random() * 8_000), 500);
        assert.equal(sim.overlap, null, `seed ${seed}, after ${actions.join(', ')}`);
      }
      // Calm down: heal everyone, enable, make sure nodes whose session was lost come back.
      for (const id of isolated) sim.store.heal(sim.nodes.get(id)!.session.id);
      for (const node of [...sim.nodes.values()]) {
        if (node.session.lost.aborted) {
          await sim.crash(node.nodeId);
          await sim.start(node.nodeId);
        }
      }
      await setResourceEnabled([...sim.nodes.values()][0]!.backend.kv, sim.options.name, true);
      await sim.advance(60_000, 500);
      assert.equal(sim.overlap, null, `seed ${seed}, after ${actions.join(', ')}`);
      assert.ok(sim.leaders().every((l) => l !== null && sim.nodes.has(l)), `every partition led by a live node: ${sim.leaders().join(',')} (seed ${seed}; ${actions.join(', ')})`);
    });
  }
});
