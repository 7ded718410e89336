import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/backends/memory/index.js';
import { DEFAULT_TIMING } from '../../../src/contract/index.js';
import { AssignService } from '../../../src/buckets/assign-service.js';
import { assignmentsKey, graceKey } from '../../../src/buckets/assignment-layout.js';
import { SETTLE_WINDOW_MS } from '../../../src/owned-items/settle-gate.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { waitFor, withTimeout } from '../../support/wait.js';
import { TestCluster, freshCluster, lead, storedTable } from '../../buckets/bucket-harness.js';

const store = new MemoryStore();
const harness = {
  name: 'memory',
  timing: DEFAULT_TIMING,
  setup: async () => undefined,
  open: async (cluster: string) => store.backend(cluster),
  writeRawKv: async (cluster: string, key: string, text: string) => store.writeRawKv(cluster, key, text),
  teardown: async () => undefined,
};
const GRACE_MS = 300_000;
/** Longer than the grace, so that the grace's end (not the interval) must wake the service. */
const INTERVAL_MS = 600_000;

const clusters: TestCluster[] = [];
after(() => Promise.allSettled(clusters.map((c) => c.close())));

describe('AssignService.run (memory backend, fake clock)', () => {
  it('reacts to membership at once, wakes when a grace ends, repairs on the interval, stops with the term', async () => {
    const c = new TestCluster(harness, freshCluster('run'));
    clusters.push(c);
    const [a, b] = [await c.node('a'), await c.node('b')];
    const clock = new FakeClock();
    const leadership = await lead(a);
    const svc = new AssignService({
      backend: a.backend,
      leadership,
      clock,
      buckets: { count: 100, offlineGraceMs: GRACE_MS, assignIntervalMs: INTERVAL_MS },
    });
    const running = svc.run();
    try {
      // 1. The first pass waits until the membership has been quiet for the settle window.
      await waitFor('the service to wait for the membership to settle', () => clock.pendingSleeps === 1);
      await clock.advance(SETTLE_WINDOW_MS - 1);
      assert.equal((await storedTable(a.backend)).size, 0, 'nothing placed inside the settle window');
      await clock.advance(1);
      await waitFor('the first pass', async () => (await storedTable(a.backend)).size === 2);
      // 2. A join is handled at once (no time passes on the fake clock).
      await c.node('c');
      await waitFor('c to get buckets', async () => ((await storedTable(a.backend)).get('c')?.length ?? 0) > 30);
      // 3. A loss starts the grace at once (stored so a successor can continue it).
      await b.session.close();
      await waitFor('b\'s grace record', async () => (await a.backend.kv.get(graceKey('b'))) !== null);
      await waitFor('the service to park', () => clock.pendingSleeps === 1);
      assert.ok((await storedTable(a.backend)).get('b')!.length > 0, 'b keeps its buckets during the grace');
      // 4. The grace's end wakes the service (the interval is longer than the grace).
      await clock.advance(GRACE_MS);
      await waitFor('b\'s buckets to move', async () => !(await storedTable(a.backend)).has('b'));
      const table = await storedTable(a.backend);
      assert.equal(table.get('a')!.length + table.get('c')!.length, 100);
      // 5. Nothing wakes it for a corrupt document but the interval (the safety net).
      await waitFor('the service to park again', () => clock.pendingSleeps === 1);
      store.writeRawKv(c.name, assignmentsKey('a'), 'garbage');
      await clock.advance(INTERVAL_MS);
      await waitFor('the repair', async () => {
        const entry = await a.backend.kv.get(assignmentsKey('a')).catch(() => null);
        return entry !== null && Array.isArray(entry.value) && entry.value.length === table.get('a')!.length;
      });
    } finally {
      await leadership.resign();
    }
    assert.equal(await withTimeout('run() to end with the term', running, 5_000), 'term-ended');
  });
});
