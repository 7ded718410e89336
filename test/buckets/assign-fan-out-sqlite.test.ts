/**
 * A placement pass writes each phase's documents together (issue 12: one write per node, sent
 * one after another, queued behind the leader's own campaigns). Twelve nodes make a phase of
 * 24 writes in flight on the pass's one signal: no MaxListenersExceededWarning, and every
 * node's document is written by the one pass.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { DEFAULT_TIMING } from '../../src/contract/index.js';
import { AssignService } from '../../src/buckets/assign-service.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { TestCluster, freshCluster, lead, storedTable } from './bucket-harness.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { openConnection } from '../sql/watched-connection.js';

let fixture: SqlFixture | undefined;
before(async () => {
  fixture = await createSqliteFixture();
});
/** SQLite: each write races the pass's signal while it is in flight (one abort listener each). */
const harness = {
  name: 'sqlite',
  timing: DEFAULT_TIMING,
  setup: async () => undefined,
  open: async (cluster: string) => SqlBackend.open('sqlite', await openConnection(fixture!), { cluster }),
  writeRawKv: async () => {
    throw new Error('not used');
  },
  teardown: async () => undefined,
};
const NODES = 12;

const clusters: TestCluster[] = [];
after(async () => {
  await Promise.allSettled(clusters.map((c) => c.close()));
  await fixture?.teardown();
});

describe('AssignService: a phase of writes in flight together (SQLite)', () => {
  it(`places ${NODES} nodes in one pass without a listener-limit warning`, async () => {
    const c = new TestCluster(harness, freshCluster('fan-out'));
    clusters.push(c);
    const nodes = [];
    for (let i = 0; i < NODES; i++) nodes.push(await c.node(`n${String(i).padStart(2, '0')}`));
    const leadership = await lead(nodes[0]!);
    const svc = new AssignService({ backend: nodes[0]!.backend, leadership, clock: new FakeClock(), buckets: { count: 120, offlineGraceMs: 300_000, assignIntervalMs: 600_000 } });
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const pass = await svc.tick();
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      assert.equal(pass.writes, 2 * NODES, 'one assignment and one update time per node');
      assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
      assert.equal((await storedTable(nodes[0]!.backend)).size, NODES);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
