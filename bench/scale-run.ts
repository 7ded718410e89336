/**
 * One configuration of the scale benchmark: N buckets (plus the default 24-partition resource)
 * over M nodes on one store, default timing, every node told the cluster's size
 * (placement.expectedNodes = M, as a deployment that knows its replica count sets it).
 * 1. cold start: every node starts at once; time until every bucket is owned exactly once and
 *    every partition has its master, and how many acquisitions that took (bound: N);
 * 2. idle (optional): after a settling pause, the store's write counters and each node
 *    process's CPU over a window, and its RSS at the end;
 * 3. once the placement is balanced, the graceful leave of one node that is not the cluster
 *    leader: time until each of its buckets is owned again, and the acquisitions that took
 *    (bound: its bucket count).
 */
import os from 'node:os';
import { msBetween, ScaleCluster } from './scale-cluster.js';
import type { LoadCounter } from './scale-store-load.js';

export interface RunSpec {
  readonly store: string;
  readonly cluster: string;
  readonly buckets: number;
  readonly nodes: number;
  readonly processes: number;
  readonly placementTimeoutMs: number;
  /** Measure the idle window (ms), or 0 to skip it. */
  readonly idleWindowMs: number;
  /** Pause between placement and the idle window (ms); default SETTLE_MS. */
  readonly settleMs?: number | undefined;
  readonly counter?: (cluster: ScaleCluster) => Promise<LoadCounter>;
}

export interface IdleResult {
  readonly seconds: number;
  /** The pause between placement and the window. */
  readonly settleSeconds: number;
  readonly rowsPerS: number;
  readonly otherPerS: number;
  readonly rowsMean: string;
  readonly otherMeans: string;
  /** Per node process: % of one core over the window, RSS and heap at its end (MB). */
  readonly cpuPercent: number[];
  readonly rssMb: number[];
  readonly heapMb: number[];
  /** Heap still used after a full garbage collection at the window's end (what the node keeps), MB. */
  readonly liveHeapMb: number[];
  /** RSS right after that full garbage collection, MB (V8 gives some pages back then). */
  readonly rssAfterGcMb: number[];
}

export interface RunResult {
  readonly spec: RunSpec;
  /** ms from start to "every bucket owned once", or null when not reached in time. */
  readonly placedMs: number | null;
  /** ms from start to the last node's start() resolving, and to the first bucket acquired (null: not seen). */
  readonly allStartedMs: number | null;
  readonly firstAcquiredMs: number | null;
  /** CPU seconds of all node processes from their nodes' start to the placement (start-up left out), or null. */
  readonly placeCpuS: number | null;
  readonly placeMoves: number;
  readonly idle: IdleResult | null;
  readonly leave: { readonly ms: number | null; readonly moves: number; readonly bound: number } | null;
  /** Why the idle or leave measurement could not be made (a node process stopped answering). */
  readonly failure: string | null;
  readonly loadAverage: readonly [number, number];
}

/**
 * Default pause after placement before the idle window: the leader's last writes and follow-up
 * reads settle. V8 gives back the heap it grew while placing for about a minute after that (its
 * memory reducer: GC cycles and page unmapping on its worker threads), which a window started
 * here counts; `--settle-seconds` starts the window later, to measure the steady state.
 */
export const SETTLE_MS = 4_000;
const LEAVE_TIMEOUT_MS = 60_000;
const RESOURCE = 'leadControllerResource';
const MB = 1024 * 1024;

export async function runConfiguration(spec: RunSpec): Promise<RunResult> {
  const loadAtStart = os.loadavg()[0] as number;
  const cluster = new ScaleCluster({ store: spec.store, cluster: spec.cluster, buckets: spec.buckets, resource: RESOURCE, nodes: spec.nodes, processes: spec.processes, expectedNodes: spec.nodes });
  try {
    await cluster.spawn();
    const started = cluster.start();
    const placed = await cluster.until(() => cluster.complete, spec.placementTimeoutMs);
    const placedMs = placed === null ? null : msBetween(started, placed);
    const placeMoves = cluster.acquisitions;
    const allStartedMs = cluster.started === spec.nodes ? msBetween(started, cluster.lastStarted) : null;
    const firstAcquiredMs = cluster.firstAcquired === 0n ? null : msBetween(started, cluster.firstAcquired);
    const placeCpuS = placed === null ? null : await cluster.cpuSecondsSinceStarted().catch(() => null);
    console.log(`    placed ${spec.buckets} over ${spec.nodes}: ${placedMs === null ? 'NOT within the time-out' : `${placedMs.toFixed(0)} ms`} (all started ${allStartedMs?.toFixed(0)} ms, first acquired ${firstAcquiredMs?.toFixed(0)} ms, node CPU ${placeCpuS?.toFixed(1)} s), ${placeMoves} acquisitions`);
    let [idle, leave, failure]: [IdleResult | null, RunResult['leave'], string | null] = [null, null, null];
    try {
      if (spec.idleWindowMs > 0 && spec.counter) idle = await measureIdle(cluster, spec.idleWindowMs, spec.settleMs ?? SETTLE_MS, await spec.counter(cluster));
      if (placed !== null) leave = await measureLeave(cluster);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      console.log(`    failed: ${failure}`);
    }
    return { spec, placedMs, allStartedMs, firstAcquiredMs, placeCpuS, placeMoves, idle, leave, failure, loadAverage: [loadAtStart, os.loadavg()[0] as number] };
  } finally {
    await cluster.close();
  }
}

async function measureIdle(cluster: ScaleCluster, windowMs: number, settleMs: number, counter: LoadCounter): Promise<IdleResult> {
  try {
    // The node statistics' window starts settleMs after placement; the store counters' window,
    // as long, starts as much later as the store's counters lag (reportLagMs).
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
    const lagMs = counter.reportLagMs ?? 0;
    const began = performance.now();
    const at = (ms: number) => sleep(began + ms - performance.now());
    await at(settleMs);
    const stats0 = await cluster.stats();
    await at(settleMs + Math.min(lagMs, windowMs));
    const load0 = await counter.read();
    await at(settleMs + windowMs);
    const stats1 = await cluster.stats();
    const collected = await cluster.stats(true);
    await at(settleMs + lagMs + windowMs);
    const load1 = await counter.read();
    const loadSeconds = (windowMs - Math.min(lagMs, windowMs) + lagMs) / 1000;
    const seconds = windowMs / 1000;
    const result: IdleResult = {
      seconds,
      settleSeconds: settleMs / 1000,
      rowsPerS: (load1.rows - load0.rows) / loadSeconds,
      otherPerS: (load1.other - load0.other) / loadSeconds,
      rowsMean: counter.rowsMean,
      otherMeans: counter.otherMeans,
      cpuPercent: stats1.map((s, i) => (100 * (s.cpuUs - stats0[i]!.cpuUs)) / 1000 / msBetween(BigInt(stats0[i]!.t), BigInt(s.t))),
      rssMb: stats1.map((s) => s.rss / MB),
      heapMb: stats1.map((s) => s.heapUsed / MB),
      liveHeapMb: collected.map((s) => s.heapUsed / MB),
      rssAfterGcMb: collected.map((s) => s.rss / MB),
    };
    console.log(`    idle: ${result.rowsPerS.toFixed(1)} rows/s, ${result.otherPerS.toFixed(1)} other/s, CPU ${result.cpuPercent.map((c) => c.toFixed(1)).join('/')} %, RSS ${result.rssMb.map((r) => r.toFixed(0)).join('/')} MB, live heap ${result.liveHeapMb.map((r) => r.toFixed(0)).join('/')} MB, RSS after GC ${result.rssAfterGcMb.map((r) => r.toFixed(0)).join('/')} MB`);
    return result;
  } finally {
    await counter.close();
  }
}

async function measureLeave(cluster: ScaleCluster): Promise<RunResult['leave']> {
  // "Owned once" can come before the last nodes got their share: leave from a balanced placement.
  if ((await cluster.until(() => cluster.balanced, LEAVE_TIMEOUT_MS)) === null) throw new Error(`placement not balanced within ${LEAVE_TIMEOUT_MS / 1000} s`);
  const leaders = new Set((await cluster.stats()).flatMap((s) => s.leaders));
  const leaver = [...cluster.owned.keys()].reverse().find((id) => !leaders.has(id));
  if (leaver === undefined) return null;
  const theirs = cluster.owned.get(leaver)!.size;
  const before = cluster.acquisitions;
  const began = cluster.leave(leaver);
  const done = await cluster.until(() => cluster.owned.get(leaver)!.size === 0 && cluster.complete, LEAVE_TIMEOUT_MS);
  const ms = done === null ? null : msBetween(began, done);
  console.log(`    leave of ${leaver} (${theirs} buckets): ${ms === null ? 'NOT re-owned within the time-out' : `${ms.toFixed(0)} ms`}, ${cluster.acquisitions - before} acquisitions`);
  return { ms, moves: cluster.acquisitions - before, bound: theirs };
}
