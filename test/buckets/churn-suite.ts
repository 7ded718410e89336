/**
 * Handoff safety under churn: 5 worker PROCESSES (churn-worker.ts) on one SQL store, with
 * random joins, graceful leaves and SIGKILLs for a bounded time. From the workers' ownership
 * logs (CLOCK_MONOTONIC timestamps, comparable across processes) it asserts that no two
 * ownership intervals of a bucket overlap, and that a bucket is never without an owner for
 * longer than a bound derived from the timings (MAX_GAP_MS) after its last disturbance (a kill,
 * leave, join or unplanned exit), and that all are owned again within that bound after the churn.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { openStore } from '../../src/backends/open-store.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import type { WorkerConfig, WorkerEvent } from './churn-worker.js';
import { seededRandom } from '../../src/testing/seeded-random.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'churn-worker.js');
const CONFIG: WorkerConfig = {
  // Session timing on real clocks: short so that a SIGKILLed node's leases expire within seconds,
  // with room (renewDeadline 2.5 s) for a busy 2-core machine to renew 40 leases on time.
  timing: { ttlMs: 4_000, renewDeadlineMs: 2_500, retryPeriodMs: 500, pollIntervalMs: 100 },
  count: 40,
  // Short grace so that a killed node's buckets move within the test (leader's monotonic clock).
  offlineGraceMs: 1_500,
  // Safety-net pass period; membership changes trigger passes at once anyway.
  assignIntervalMs: 2_000,
};
/** How long random joins, leaves and kills go on (wall time). */
const CHURN_MS = 20_000;
/**
 * Longest allowed time without an owner, per bucket, counted from the last event that could hit
 * it (see `lastEvent` below). The worst chain after such an event E is a SIGKILL of a node that
 * was both the bucket's owner and the cluster leader, each step waiting as long as it may:
 * 1. its member row and its leases (cluster leader, `bucket/B`) were renewed last at or before E,
 *    so they expire by E + ttl on the store's clock (one machine here: the same clock);
 * 2. a candidate's campaign polls the expired lease: + retryPeriod; the new leader passes at once;
 * 3. the leader sees the member gone: at that first pass, or at the next membership poll
 *    (+ pollInterval) when the leader did not change;
 * 4. the offline grace runs from that pass on the leader's clock: + offlineGrace; the loop
 *    wakes when it ends and writes the target (a new leader continues a stored grace: never
 *    longer);
 * 5. the new owner's target watch polls: + pollInterval;
 * 6. its campaign for `bucket/B` polls the (long expired) lease: + retryPeriod.
 * A join or a graceful leave is a shorter chain (no ttl, no grace). On top, each of the two
 * processes that act in the chain (the leader, the new owner) may stall, e.g. descheduled on a
 * loaded 2-core machine, for up to renewDeadline without losing its session; a longer stall
 * loses the session, the worker exits, and that exit is itself an event the bound restarts from.
 */
const HANDOFF_CHAIN_MS =
  CONFIG.timing.ttlMs + CONFIG.timing.retryPeriodMs + CONFIG.timing.pollIntervalMs + CONFIG.offlineGraceMs + CONFIG.timing.pollIntervalMs + CONFIG.timing.retryPeriodMs;
const STALL_ALLOWANCE_MS = 2 * CONFIG.timing.renewDeadlineMs;
const MAX_GAP_MS = HANDOFF_CHAIN_MS + STALL_ALLOWANCE_MS;
const NS_PER_MS = 1_000_000n;

interface Worker {
  readonly nodeId: string;
  readonly log: string;
  readonly child: ChildProcess;
  /** CLOCK_MONOTONIC ns at which the parent saw the process exit. */
  exitedAt: bigint | null;
  readonly exited: Promise<void>;
}


function events(worker: Worker): WorkerEvent[] {
  if (!existsSync(worker.log)) return [];
  return readFileSync(worker.log, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as WorkerEvent);
}

/** Buckets a worker owns according to its log (acquired, not released since). */
function ownedBy(worker: Worker): Set<string> {
  const owned = new Set<string>();
  for (const event of events(worker)) {
    if (event.e === 'acq') owned.add(event.bucket!);
    if (event.e === 'rel') owned.delete(event.bucket!);
  }
  return owned;
}

/** When the worker registered and started owning (its 'up' lines). */
function upTimes(worker: Worker): bigint[] {
  return events(worker).filter((e) => e.e === 'up').map((e) => BigInt(e.t));
}

/** Runs the churn test against the store that `createFixture` makes. */
export function describeChurn(name: string, createFixture: () => Promise<SqlFixture>): void {
  describe(`bucket handoff under churn (5 processes, ${name})`, () => {
    let fixture: SqlFixture;
    let dir: string;
    const workers: Worker[] = [];
    const cluster = `churn-${process.pid}`;
    let seq = 0;

    before(async () => {
      fixture = await createFixture();
      dir = mkdtempSync(path.join(os.tmpdir(), 'baton-churn-'));
      const backend = await openStore(fixture.url, { cluster });
      await backend.close();
    });

    after(async () => {
      for (const w of workers) if (w.exitedAt === null) w.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await fixture?.teardown();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    function spawnWorker(): Worker {
      const nodeId = `n${++seq}`;
      const log = path.join(dir, `${nodeId}.log`);
      const child = spawn(process.execPath, [WORKER, fixture.url, cluster, nodeId, log, JSON.stringify(CONFIG)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const worker: Worker = {
        nodeId,
        log,
        child,
        exitedAt: null,
        exited: new Promise((resolve) =>
          child.once('exit', (code, signal) => {
            worker.exitedAt = process.hrtime.bigint();
            if (code !== 0 && code !== 3 && signal !== 'SIGKILL') process.stderr.write(`worker ${nodeId} exited ${code ?? signal}: ${stderr}\n`);
            resolve();
          }),
        ),
      };
      workers.push(worker);
      return worker;
    }

    const alive = () => workers.filter((w) => w.exitedAt === null && !w.child.killed);

    async function allOwnedOnce(): Promise<boolean> {
      const owners = alive().flatMap((w) => [...ownedBy(w)]);
      return owners.length === CONFIG.count && new Set(owners).size === CONFIG.count;
    }

    it('never has two owners of a bucket, and re-owns every bucket within the derived bound', async (t) => {
      const seed = Number(process.env['BATON_CHURN_SEED'] ?? Date.now() % 1_000_000);
      const random = seededRandom(seed);
      for (let i = 0; i < 5; i++) spawnWorker();
      await waitFor('all buckets owned by the first 5 workers', allOwnedOnce, { timeoutMs: 30_000, intervalMs: 100 });
      const churnStart = process.hrtime.bigint();
      const actions: { readonly at: bigint; readonly what: string }[] = [];
      const act = (what: string) => actions.push({ at: process.hrtime.bigint(), what });
      // 1. Churn: every 0.8-2 s, a join (while fewer than 5), a graceful leave or a SIGKILL (while 3 or more).
      const end = performance.now() + CHURN_MS;
      while (performance.now() < end) {
        await delay(800 + random() * 1_200);
        const live = alive();
        if (live.length < 3 || (live.length < 5 && random() < 0.4)) {
          act(`join ${spawnWorker().nodeId}`);
          continue;
        }
        const victim = live[Math.floor(random() * live.length)]!;
        const how = random() < 0.5 ? 'SIGKILL' : 'SIGTERM';
        act(`${how} ${victim.nodeId}`);
        victim.child.kill(how);
      }
      // 2. Settle: every bucket owned exactly once by the live workers, within the bound of the last action.
      //    A joiner spawned last registers after its process starts (not bounded here); the
      //    bound runs from then.
      await waitFor('every live worker registered', () => alive().every((w) => upTimes(w).length > 0), { timeoutMs: 30_000, intervalMs: 100 });
      await waitFor('all buckets owned once after the churn', allOwnedOnce, { timeoutMs: MAX_GAP_MS, intervalMs: 100 });
      const settledAt = process.hrtime.bigint();
      // 3. Stop everyone gracefully; open intervals end at the process's exit.
      for (const w of alive()) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));

      const intervals = new Map<string, { node: string; start: bigint; end: bigint }[]>();
      for (const w of workers) {
        const open = new Map<string, bigint>();
        for (const event of events(w)) {
          if (event.e === 'acq') open.set(event.bucket!, BigInt(event.t));
          if (event.e === 'rel' && open.has(event.bucket!)) {
            const list = intervals.get(event.bucket!) ?? intervals.set(event.bucket!, []).get(event.bucket!)!;
            list.push({ node: w.nodeId, start: open.get(event.bucket!)!, end: BigInt(event.t) });
            open.delete(event.bucket!);
          }
        }
        for (const [bucket, start] of open) {
          const list = intervals.get(bucket) ?? intervals.set(bucket, []).get(bucket)!;
          list.push({ node: w.nodeId, start, end: w.exitedAt! });
        }
      }
      // Events that can hit a bucket: the test's actions; a joiner registering (its 'up', which
      // on a loaded machine comes well after the spawn); and every exit, planned or not (a worker
      // that lost its session exits with code 3, leaving its leases to expire). Each may restart
      // a handoff, so a gap is measured from its start or the last event in it, whichever is later.
      const disturbances: bigint[] = [...actions.map((a) => a.at), ...workers.flatMap((w) => [...upTimes(w), ...(w.exitedAt === null ? [] : [w.exitedAt])])];
      const lastEvent = (start: bigint, end: bigint) => disturbances.filter((t) => t < end).reduce((t, e) => (e > t ? e : t), start);
      const context = `seed ${seed}; actions: ${actions.map((a) => a.what).join(', ')}`;
      assert.ok(actions.some((a) => a.what.startsWith('SIGKILL')) && actions.some((a) => a.what.startsWith('SIGTERM')), `churn included kills and leaves (${context})`);
      assert.equal(intervals.size, CONFIG.count, 'every bucket was owned');
      let handoffs = 0;
      let longestGapMs = 0;
      for (const [bucket, list] of intervals) {
        list.sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
        for (let i = 1; i < list.length; i++) {
          const [prev, next] = [list[i - 1]!, list[i]!];
          handoffs++;
          assert.ok(prev.end < next.start, `bucket ${bucket}: ${prev.node} owned it until ${prev.end}, ${next.node} from ${next.start} (${context})`);
          if (next.start > churnStart && next.start <= settledAt) {
            const last = lastEvent(prev.end, next.start);
            const gapMs = Number((next.start - last) / NS_PER_MS);
            longestGapMs = Math.max(longestGapMs, gapMs);
            assert.ok(gapMs <= MAX_GAP_MS, `bucket ${bucket}: unowned for ${gapMs} ms after its last disturbance > ${MAX_GAP_MS} (${context})`);
          }
        }
      }
      // Every bucket a SIGKILLed worker held when it died (it never released them) was owned
      // again by another worker before the end: one handoff each at least. (How many buckets the
      // churn moves in all depends on the seed and on when a loaded machine lets joiners in.)
      const killed = new Set(actions.filter((a) => a.what.startsWith('SIGKILL')).map((a) => a.what.split(' ')[1]));
      const heldByKilled = workers.filter((w) => killed.has(w.nodeId)).reduce((sum, w) => sum + ownedBy(w).size, 0);
      assert.ok(handoffs > 0 && handoffs >= heldByKilled, `the churn moved buckets: ${handoffs} handoffs, ${heldByKilled} buckets held by SIGKILLed workers when they died (${context})`);
      t.diagnostic(`longest gap after a disturbance: ${longestGapMs} ms of ${MAX_GAP_MS} allowed; ${handoffs} handoffs; ${context}`);
    });
  });
}
