/**
 * Issue 10, case 9: a watch hint that never comes (a watch being set again, a store whose watch
 * has a gap) must not keep a live node out of the placement for a whole placement interval, nor
 * leave a node's view of the resource stale for ever. The leader re-reads the members every
 * MEMBERS_RECHECK_MS while it waits and runs a pass when they changed; every node re-reads the
 * resource every placementIntervalMs. Memory backend; the waits under test run on a fake clock.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Backend } from '../../../src/contract/contract.js';
import { DEFAULT_TIMING } from '../../../src/contract/timing.js';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { MEMBERS_RECHECK_MS } from '../../../src/owned-items/placement-loop.js';
import { ItemPlacement } from '../../../src/owned-items/item-placement.js';
import { OwnedItems } from '../../../src/owned-items/owned-items.js';
import { SETTLE_WINDOW_MS } from '../../../src/owned-items/settle-gate.js';
import { partitionLayout, partitionTiming } from '../../../src/partitions/partition-layout.js';
import { placementKey, readResource } from '../../../src/partitions/resource-layout.js';
import { validateResourceOptions } from '../../../src/partitions/resource-options.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { waitFor, withTimeout } from '../../support/wait.js';

/** Far longer than the re-check, so only the re-check can bring the joiner in. */
const INTERVAL_MS = 600_000;
const resource = validateResourceOptions({ name: 'orders', partitions: 6, replicas: 2, placementIntervalMs: INTERVAL_MS });
const layout = partitionLayout(resource);
const timing = partitionTiming(resource);

/** `target` with its `watch` method (or `watchMembers`) never calling the listener: every hint is lost. */
function deaf<T extends object>(target: T, watchName: 'watch' | 'watchMembers'): T {
  return new Proxy(target, {
    get: (object, key) => {
      if (key === watchName) return () => undefined;
      const value: unknown = Reflect.get(object, key, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

/** The backend with no membership hints and no KV hints. */
function deafBackend(backend: Backend): Backend {
  const kv = deaf(backend.kv, 'watch');
  return new Proxy(deaf(backend, 'watchMembers'), { get: (object, key) => (key === 'kv' ? kv : Reflect.get(object, key, object) as unknown) });
}

describe('lost watch hints (memory backend, fake clock)', () => {
  const store = new MemoryStore();
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

  const named = async (backend: Backend) => {
    const { placement } = await readResource(backend.kv, 'orders', 6, () => undefined);
    return new Set(Object.values(placement?.assignment ?? {}).flat());
  };

  it('a node that joined unannounced is placed within one members re-check', async () => {
    const a = await member('leader', 'a');
    const clock = new FakeClock();
    const leadership = await a.session.campaign('cluster-leader', {});
    const running = new ItemPlacement({ backend: deaf(a.backend, 'watchMembers'), leadership, layout, timing, clock }).run();
    try {
      await waitFor('the leader to wait for the membership to settle', () => clock.pendingSleeps === 1);
      await clock.advance(SETTLE_WINDOW_MS);
      await waitFor('the first placement, a alone', async () => (await named(a.backend)).has('a'));
      await waitFor('the leader to park', () => clock.pendingSleeps === 1);
      // 1. b joins; the leader hears nothing of it.
      await member('leader', 'b');
      await clock.advance(MEMBERS_RECHECK_MS - 1);
      assert.deepEqual([...(await named(a.backend))], ['a'], 'no hint, no re-check yet: b is not placed');
      // 2. The re-check finds b and runs a pass, long before the interval.
      await clock.advance(1);
      await waitFor('b placed by the re-check', async () => (await named(a.backend)).has('b'), { timeoutMs: 5_000 });
      // 3. Nothing changed since: re-checks run no pass (the placement's version stays).
      const version = (await a.backend.kv.get(placementKey('orders')))?.version;
      await waitFor('the leader to park again', () => clock.pendingSleeps === 1);
      await clock.advance(3 * MEMBERS_RECHECK_MS);
      assert.equal((await a.backend.kv.get(placementKey('orders')))?.version, version);
    } finally {
      await leadership.resign();
    }
    assert.equal(await withTimeout('run() to end with the term', running, 5_000), 'term-ended');
  });

  it('a node\'s view of the resource catches up within one safety-net period without any hint', async () => {
    const a = await member('node', 'a');
    const clock = new FakeClock();
    const items = new OwnedItems({ layout, timing, clock });
    try {
      await items.start({ backend: deafBackend(a.backend), session: a.session });
      assert.equal(items.view()?.state.placement, null);
      // 1. The leader writes a placement and b joins; the node hears of neither.
      const leadership = await a.session.campaign('cluster-leader', {});
      await member('node', 'b');
      await new ItemPlacement({ backend: a.backend, leadership, layout, timing, clock }).tick();
      await clock.advance(INTERVAL_MS - 1);
      assert.equal(items.view()?.state.placement, null, 'no hint, no re-read yet');
      // 2. The safety-net re-read brings both in.
      await clock.advance(1);
      const view = await waitFor('the re-read', () => items.view()?.state.placement ? items.view() : undefined, { timeoutMs: 5_000 });
      assert.deepEqual(view.members.map((m) => m.nodeId), ['a', 'b']);
    } finally {
      await items.stop({ leave: false });
    }
  });
});
