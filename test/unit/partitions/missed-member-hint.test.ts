/**
 * Issue 10, case 9: a membership hint the leader never gets (a watch being set again, a store
 * whose watch has a gap) must not keep a live node out of the placement for a whole placement
 * interval. The leader re-reads the members every MEMBERS_RECHECK_MS while it waits, and runs a
 * pass when they changed. Memory backend; the service's waits run on a fake clock.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Backend } from '../../../src/backend/contract.js';
import { DEFAULT_TIMING } from '../../../src/backend/timing.js';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { MEMBERS_RECHECK_MS } from '../../../src/handoff/leader-loop.js';
import { PlacementService } from '../../../src/partitions/placement-service.js';
import { placementKey, readResource } from '../../../src/partitions/resource-layout.js';
import { validateResourceOptions } from '../../../src/partitions/resource-options.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { waitFor, withTimeout } from '../../support/wait.js';

/** Far longer than the re-check, so only the re-check can bring the joiner in. */
const INTERVAL_MS = 600_000;
const resource = validateResourceOptions({ name: 'orders', partitions: 6, replicas: 2, placementIntervalMs: INTERVAL_MS });

/** The backend with a membership watch that never calls its listener (every hint is lost). */
function deafToMembers(backend: Backend): Backend {
  return new Proxy(backend, {
    get: (target, key) => {
      if (key === 'watchMembers') return () => undefined;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('placement leader with a lost membership hint (memory backend, fake clock)', () => {
  const store = new MemoryStore();
  const backends: Backend[] = [];
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.close()));
  });

  async function member(nodeId: string) {
    const backend = store.backend('missed-hint');
    backends.push(backend);
    const session = await backend.openSession({ nodeId, info: {}, timing: DEFAULT_TIMING });
    return { backend, session };
  }

  const named = async (backend: Backend) => {
    const { placement } = await readResource(backend.kv, 'orders', 6, () => undefined);
    return new Set(Object.values(placement?.assignment ?? {}).flat());
  };

  it('a node that joined unannounced is placed within one members re-check', async () => {
    const a = await member('a');
    const clock = new FakeClock();
    const leadership = await a.session.campaign('cluster-leader', {});
    const running = new PlacementService({ backend: deafToMembers(a.backend), leadership, resource, clock }).run();
    try {
      await waitFor('the first placement, a alone', async () => (await named(a.backend)).has('a'));
      await waitFor('the leader to park', () => clock.pendingSleeps === 1);
      // 1. b joins; the leader hears nothing of it.
      await member('b');
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
});
