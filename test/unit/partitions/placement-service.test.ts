/**
 * The leader's placement pass on the memory backend: writes are fenced (a deposed leader's write
 * never lands), and a corrupt placement document is reported and rewritten, never a crash.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Backend } from '../../../src/contract/contract.js';
import { DEFAULT_TIMING } from '../../../src/contract/timing.js';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { ItemPlacement } from '../../../src/owned-items/item-placement.js';
import { partitionLayout, partitionTiming } from '../../../src/partitions/partition-layout.js';
import { placementKey, readResource } from '../../../src/partitions/resource-layout.js';
import { validateResourceOptions } from '../../../src/partitions/resource-options.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

const resource = validateResourceOptions({ name: 'orders', partitions: 6, replicas: 2 });

describe('partition placement (the engine\'s ItemPlacement over the resource layout)', () => {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const backends: Backend[] = [];
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.close()));
  });

  async function member(cluster: string, nodeId: string) {
    const backend = store.backend(cluster);
    backends.push(backend);
    const session = await backend.openSession({ nodeId, info: {}, timing: DEFAULT_TIMING });
    return { backend, session };
  }

  it('writes a fenced placement; a deposed leader\'s pass is refused by the store', async () => {
    const a = await member('fence', 'a');
    await member('fence', 'b');
    const leadership = await a.session.campaign('cluster-leader', {});
    const service = new ItemPlacement({ backend: a.backend, leadership, layout: partitionLayout(resource), timing: partitionTiming(resource), clock });
    await service.tick();
    const first = await readResource(a.backend.kv, 'orders', 6, () => undefined);
    assert.deepEqual(Object.keys(first.placement!.assignment), ['0', '1', '2', '3', '4', '5']);
    const before = await a.backend.kv.get(placementKey('orders'));
    // The lease disappears behind the leader's back; it has not noticed yet.
    store.disturbLeader('fence', 'cluster-leader');
    await member('fence', 'c');
    await assert.rejects(service.tick(), { code: 'FENCED' });
    assert.equal((await a.backend.kv.get(placementKey('orders')))?.version, before?.version, 'the fenced write did not land');
  });

  it('reports a corrupt placement and rewrites it', async () => {
    const a = await member('corrupt', 'a');
    store.writeRawKv('corrupt', placementKey('orders'), '{"partitions": 6, "replicas": 2, "assignment": {"9": ["a"]}}');
    const corrupt: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void corrupt.push(line) });
    const leadership = await a.session.campaign('cluster-leader', {});
    await new ItemPlacement({ backend: a.backend, leadership, layout: partitionLayout(resource), timing: partitionTiming(resource), clock, log }).tick();
    assert.ok(corrupt.some((line) => line.includes('partitions/orders/placement')), 'the corrupt key was reported');
    const repaired = await readResource(a.backend.kv, 'orders', 6, () => assert.fail('still corrupt'));
    assert.deepEqual(Object.values(repaired.placement!.assignment).map((l) => [...l]), Array.from({ length: 6 }, () => ['a']));
  });
});
