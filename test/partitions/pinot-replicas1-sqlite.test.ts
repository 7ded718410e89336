/**
 * `replicas: 1` reproduces Pinot's lead controller resource with real processes on SQLite: a
 * SIGKILLed master's partitions have NO leader until the rebalance delay ends, then they move.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/contract.js';
import { openStore } from '../../src/backends/open-store.js';
import { readResource } from '../../src/partitions/resource-layout.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { DETECTION_MS, NS_PER_MS, RESOURCE, TIMING, WorkerPool } from './worker-pool.js';

/** Rebalance delay on the leaders' monotonic clocks: shortened from Pinot's 300 s for the test. */
const DELAY_MS = 6_000;

describe('replicas 1 with real processes (SQLite): Pinot\'s leaderless gap', () => {
  let fixture: SqlFixture;
  let dir: string;
  let backend: Backend;
  let pool: WorkerPool;

  before(async () => {
    fixture = await createSqliteFixture();
    dir = mkdtempSync(path.join(os.tmpdir(), 'baton-partitions-r1-'));
    const cluster = `r1-${process.pid}`;
    backend = await openStore(fixture.url, { cluster, pollIntervalMs: TIMING.pollIntervalMs });
    pool = new WorkerPool(fixture.url, cluster, dir, { replicas: 1, rebalanceDelayMs: DELAY_MS });
  });
  after(async () => {
    await pool?.killAll();
    await backend?.close();
    await fixture?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the killed master\'s partitions stay leaderless until the delay ends, then get a leader', async () => {
    for (const id of ['n1', 'n2', 'n3']) pool.spawn(id);
    // Settled: every node leads some partitions, each by the node the placement names (a kill
    // while a partition is still being handed over would let its new owner take it at once).
    await waitFor('every node leads the partitions the placement gives it', async () => {
      const { placement } = await readResource(backend.kv, RESOURCE, 24, () => undefined);
      const h = pool.holders();
      return pool.allLedOnce() && new Set([...h.values()].flat()).size === 3 && placement !== null && Object.entries(placement.assignment).every(([p, list]) => h.get(Number(p))?.[0] === list[0]);
    }, { timeoutMs: 20_000, intervalMs: 100 });
    const victimId = pool.holders().get(0)![0]!;
    const theirs = [...pool.holders()].filter(([, ids]) => ids[0] === victimId).map(([p]) => p);
    const victim = pool.live(victimId);
    const killedAt = process.hrtime.bigint();
    victim.child.kill('SIGKILL');
    await victim.exited;
    await waitFor('the partitions led again', () => theirs.every((p) => pool.takenOverAt(p, victimId, killedAt) !== null), { timeoutMs: DELAY_MS + DETECTION_MS + 10_000, intervalMs: 100 });
    for (const p of theirs) {
      const gapMs = Number((pool.takenOverAt(p, victimId, killedAt)! - killedAt) / NS_PER_MS);
      assert.ok(gapMs >= DELAY_MS, `partition ${p} got a leader ${gapMs} ms after the kill, before the ${DELAY_MS} ms delay ended`);
    }
    assert.ok(pool.allLedOnce(), 'every partition led once by the survivors');
  });
});
