/**
 * Standby takeover with real processes on SQLite: three node processes (partition-worker.ts),
 * `replicas: 2`. SIGKILL a master: each of its partitions gets a new master within one
 * session-loss detection, no two masters ever overlap (intervals from the workers' logs on
 * CLOCK_MONOTONIC), the placement does not move inside the rebalance delay, and a restart inside
 * the delay moves nothing. A second kill without restart moves the placement only after the delay.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/backend/contract.js';
import { openStore } from '../../src/backends/open-store.js';
import { readResource, type PlacementDoc } from '../../src/partitions/resource-layout.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import type { PartitionEvent } from './partition-worker.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'partition-worker.js');
const RESOURCE = 'leadControllerResource';
/** Short session timing on real clocks so a killed node's session expires within seconds (ms). */
const TIMING = { ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 100 };
/** Rebalance delay (leaders' monotonic clocks): long enough to restart inside it, short enough for the test. */
const DELAY_MS = 10_000;
/**
 * One session-loss detection: the store expires the member and its leases `ttlMs` after the last
 * renewal (at most one renewal period before the kill), then a poll notices it; plus 1.5 s for a
 * loaded 2-core machine.
 */
const DETECTION_MS = TIMING.ttlMs + TIMING.retryPeriodMs + 2 * TIMING.pollIntervalMs + 1_500;
const NS_PER_MS = 1_000_000n;

interface Worker {
  readonly nodeId: string;
  readonly log: string;
  readonly child: ChildProcess;
  exitedAt: bigint | null;
  readonly exited: Promise<void>;
}

describe('partition failover with real processes (SQLite, replicas 2)', () => {
  let fixture: SqlFixture;
  let dir: string;
  let backend: Backend;
  const workers: Worker[] = [];
  const cluster = `pf-${process.pid}`;

  before(async () => {
    fixture = await createSqliteFixture();
    dir = mkdtempSync(path.join(os.tmpdir(), 'baton-partitions-'));
    backend = await openStore(fixture.url, { cluster, pollIntervalMs: TIMING.pollIntervalMs });
  });
  after(async () => {
    for (const w of workers) if (w.exitedAt === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await backend?.close();
    await fixture?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function spawnWorker(nodeId: string): Worker {
    const log = path.join(dir, `${nodeId}-${workers.length}.log`);
    const values = { store: fixture.url, cluster, nodeId, http: { port: 0 }, log: { level: 'silent' }, election: TIMING, partitions: { [RESOURCE]: { replicas: 2, rebalanceDelayMs: DELAY_MS } } };
    const child = spawn(process.execPath, [WORKER, log, JSON.stringify(values)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const worker: Worker = {
      nodeId,
      log,
      child,
      exitedAt: null,
      exited: new Promise((resolve) => child.once('exit', (code, signal) => {
        worker.exitedAt = process.hrtime.bigint();
        if (code !== 0 && signal !== 'SIGKILL') process.stderr.write(`worker ${nodeId} exited ${code ?? signal}: ${stderr}\n`);
        resolve();
      })),
    };
    workers.push(worker);
    return worker;
  }

  const events = (w: Worker): PartitionEvent[] =>
    existsSync(w.log) ? readFileSync(w.log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as PartitionEvent) : [];
  const alive = () => workers.filter((w) => w.exitedAt === null && !w.child.killed);

  /** partition -> node ids leading it now, from the live workers' logs. */
  function holders(): Map<number, string[]> {
    const result = new Map<number, string[]>();
    for (const w of alive()) {
      const led = new Set<number>();
      for (const e of events(w)) {
        if (e.e === 'start') led.add(e.partition!);
        if (e.e === 'stop') led.delete(e.partition!);
      }
      for (const p of led) result.set(p, [...(result.get(p) ?? []), w.nodeId]);
    }
    return result;
  }
  const allLedOnce = () => {
    const h = holders();
    return h.size === 24 && [...h.values()].every((ids) => ids.length === 1);
  };
  const placement = async (): Promise<PlacementDoc | null> => (await readResource(backend.kv, RESOURCE, 24, () => undefined)).placement;
  /** CLOCK_MONOTONIC ns of the first `start` of `partition` by someone other than `nodeId` after `since`. */
  function takenOverAt(partition: number, nodeId: string, since: bigint): bigint | null {
    const starts = workers.filter((w) => w.nodeId !== nodeId).flatMap(events).filter((e) => e.e === 'start' && e.partition === partition && BigInt(e.t) > since);
    return starts.length === 0 ? null : starts.map((e) => BigInt(e.t)).reduce((a, b) => (a < b ? a : b));
  }

  it('a standby takes over at once; placement waits for the delay; a restart inside it moves nothing', async () => {
    for (const id of ['n1', 'n2', 'n3']) spawnWorker(id);
    const original = await waitFor('a full placement, every partition led once by its master', async () => {
      const doc = await placement();
      const h = holders();
      const named = new Set(Object.values(doc?.assignment ?? {}).flat());
      const settled = doc !== null && named.size === 3 && allLedOnce() && Object.entries(doc.assignment).every(([p, list]) => list.length === 2 && h.get(Number(p))?.[0] === list[0]);
      return settled ? doc : null;
    }, { timeoutMs: 20_000, intervalMs: 100 });
    // 1. SIGKILL the master of partition 0.
    const victimId = holders().get(0)![0]!;
    const victim = workers.find((w) => w.nodeId === victimId && w.exitedAt === null)!;
    const theirs = [...holders()].filter(([, ids]) => ids[0] === victimId).map(([p]) => p);
    const killedAt = process.hrtime.bigint();
    victim.child.kill('SIGKILL');
    await victim.exited;
    // 2. Every one of its partitions gets a new master (its standby) within one detection.
    await waitFor('the victim\'s partitions taken over', () => theirs.every((p) => takenOverAt(p, victimId, killedAt) !== null), { timeoutMs: DETECTION_MS + 5_000, intervalMs: 50 });
    for (const p of theirs) {
      const gapMs = Number((takenOverAt(p, victimId, killedAt)! - killedAt) / NS_PER_MS);
      assert.ok(gapMs <= DETECTION_MS, `partition ${p} leaderless for ${gapMs} ms > ${DETECTION_MS}`);
      assert.equal(holders().get(p)?.[0], original.assignment[String(p)]![1], `partition ${p} led by its standby`);
    }
    assert.deepEqual((await placement())!.assignment, original.assignment, 'placement unchanged inside the delay');
    // 3. Restart inside the delay: nothing moves, and the node gets its partitions back.
    spawnWorker(victimId);
    await waitFor('the restarted node leads its partitions again', () => theirs.every((p) => holders().get(p)?.[0] === victimId) && allLedOnce(), { timeoutMs: 15_000, intervalMs: 100 });
    await waitFor('the delay of the first kill is over', () => process.hrtime.bigint() - killedAt > BigInt(DELAY_MS + 1_000) * NS_PER_MS, { timeoutMs: DELAY_MS + 5_000, intervalMs: 200 });
    assert.deepEqual((await placement())!.assignment, original.assignment, 'a restart inside the delay moved nothing');
    // 4. Kill it again and do not restart: the placement moves, but only once the delay is over.
    const again = workers.find((w) => w.nodeId === victimId && w.exitedAt === null)!;
    const secondKill = process.hrtime.bigint();
    again.child.kill('SIGKILL');
    await again.exited;
    const moved = await waitFor('placement without the victim', async () => {
      const doc = await placement();
      return doc !== null && Object.values(doc.assignment).every((list) => !list.includes(victimId)) ? process.hrtime.bigint() : null;
    }, { timeoutMs: DELAY_MS + DETECTION_MS + 10_000, intervalMs: 100 });
    const movedAfterMs = Number((moved - secondKill) / NS_PER_MS);
    assert.ok(movedAfterMs >= DELAY_MS, `placement moved ${movedAfterMs} ms after the kill, before the ${DELAY_MS} ms delay`);
    await waitFor('every partition led once by the two survivors', allLedOnce, { timeoutMs: 10_000, intervalMs: 100 });
    // 5. Stop everyone; then no two masters of a partition ever overlapped.
    for (const w of alive()) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    const intervals = new Map<number, { node: string; start: bigint; end: bigint }[]>();
    for (const w of workers) {
      const open = new Map<number, bigint>();
      const close = (p: number, end: bigint) => {
        const list = intervals.get(p) ?? intervals.set(p, []).get(p)!;
        list.push({ node: w.nodeId, start: open.get(p)!, end });
        open.delete(p);
      };
      for (const e of events(w)) {
        if (e.e === 'start') open.set(e.partition!, BigInt(e.t));
        if (e.e === 'stop' && open.has(e.partition!)) close(e.partition!, BigInt(e.t));
      }
      for (const p of [...open.keys()]) close(p, w.exitedAt!);
    }
    assert.equal(intervals.size, 24);
    for (const [p, list] of intervals) {
      list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      for (let i = 1; i < list.length; i++) {
        assert.ok(list[i - 1]!.end < list[i]!.start, `partition ${p}: ${list[i - 1]!.node} led until ${list[i - 1]!.end}, ${list[i]!.node} from ${list[i]!.start}`);
      }
    }
  });
});
