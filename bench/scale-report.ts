/**
 * The scale benchmark's section of docs/benchmarks.md: the idle store load curve (writes per
 * retry period, every store side by side), the idle node processes' CPU and memory, and
 * placement and handoff times with their moves against the lower bound.
 */
import { DEFAULT_TIMING } from '../src/contract/timing.js';
import { table, writeSection } from './report.js';
import type { RunResult } from './scale-run.js';

export interface ScaleReport {
  readonly label: string;
  /** The main commit measured ("hash subject"). */
  readonly measured: string;
  readonly quick: boolean;
  readonly results: readonly RunResult[];
  readonly skipped: readonly string[];
  readonly minutes: number;
}

const STORE_NAMES: Record<string, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MariaDB', zookeeper: 'ZooKeeper', etcd: 'etcd' };
const PERIOD_S = DEFAULT_TIMING.retryPeriodMs / 1000;

const storeOf = (r: RunResult) => STORE_NAMES[r.spec.store.split(':')[0]!] ?? r.spec.store;
const n = (value: number) => value.toLocaleString('en');
const ms = (value: number | null, timeoutMs: number) => (value === null ? `not within ${timeoutMs / 1000} s` : `${n(Math.round(value))} ms`);
const load = (r: RunResult) => `${r.loadAverage[0].toFixed(1)} → ${r.loadAverage[1].toFixed(1)}`;
const max = (values: readonly number[]) => Math.max(...values);

function curve(results: readonly RunResult[]): string {
  const idle = results.filter((r) => r.spec.idleWindowMs > 0);
  const stores = [...new Set(idle.map(storeOf))];
  const counts = [...new Set(idle.map((r) => r.spec.buckets))].sort((a, b) => a - b);
  const cell = (store: string, buckets: number) => {
    const r = idle.find((x) => storeOf(x) === store && x.spec.buckets === buckets);
    if (r === undefined) return '';
    if (r.idle === null) return `not measured${r.failure !== null ? ' (a node process stopped answering)' : ''}${r.placedMs === null ? ', not placed' : ''}`;
    const perPeriod = r.idle.rowsPerS * PERIOD_S;
    return `${perPeriod.toFixed(1)}${perPeriod <= 3 ? ' ✓' : ''}${r.placedMs === null ? ' (not placed)' : ''}`;
  };
  return table(['buckets (+ 24 partitions)', ...stores], counts.map((b) => [n(b), ...stores.map((s) => cell(s, b))]));
}

function idleTable(results: readonly RunResult[]): string {
  return table(
    ['store', 'buckets', 'placed (cold start)', 'rows written / s', 'second counter / s', 'node CPU, % of a core (max of 3)', 'node RSS MB (max)', 'node heap MB (max)', 'live heap after GC MB (max)', 'RSS after GC MB (max)', 'load avg'],
    results
      .filter((r) => r.idle !== null)
      .map((r) => [storeOf(r), n(r.spec.buckets), ms(r.placedMs, r.spec.placementTimeoutMs), r.idle!.rowsPerS.toFixed(1), r.idle!.otherPerS.toFixed(1), max(r.idle!.cpuPercent).toFixed(2), max(r.idle!.rssMb).toFixed(0), max(r.idle!.heapMb).toFixed(0), r.idle!.liveHeapMb ? max(r.idle!.liveHeapMb).toFixed(0) : '', r.idle!.rssAfterGcMb ? max(r.idle!.rssAfterGcMb).toFixed(0) : '', load(r)]),
  );
}

function placementTable(results: readonly RunResult[]): string {
  return table(
    ['store', 'buckets', 'nodes (processes)', 'cold start → owned once', 'all nodes started', 'first bucket acquired', 'first acquired → owned once', 'node CPU s while placing (sum)', 'acquisitions (bound)', 'graceful leave → re-owned', 'acquisitions (bound)', 'load avg'],
    results.map((r) => [
      storeOf(r),
      n(r.spec.buckets),
      `${r.spec.nodes} (${r.spec.processes})`,
      ms(r.placedMs, r.spec.placementTimeoutMs),
      r.allStartedMs === null ? '—' : ms(r.allStartedMs, 0),
      r.firstAcquiredMs === null ? '—' : ms(r.firstAcquiredMs, 0),
      r.placedMs === null || r.firstAcquiredMs === null ? '—' : ms(r.placedMs - r.firstAcquiredMs, 0),
      r.placeCpuS === null || r.placeCpuS === undefined ? '—' : r.placeCpuS.toFixed(1),
      `${n(r.placeMoves)} (${n(r.spec.buckets)})`,
      r.leave === null ? (r.failure !== null ? `failed: ${r.failure}` : '—') : ms(r.leave.ms, 60_000),
      r.leave === null ? '—' : `${n(r.leave.moves)} (${n(r.leave.bound)})`,
      load(r),
    ]),
  );
}

/** RSS growth from 100 to 10,000 buckets per store (max node process of each run). */
function growth(results: readonly RunResult[]): string {
  const lines: string[] = [];
  for (const store of new Set(results.map(storeOf))) {
    const at = (b: number) => results.find((r) => storeOf(r) === store && r.spec.buckets === b && r.idle !== null)?.idle;
    const [small, large] = [at(100), at(10_000)];
    if (small && large) lines.push(`${store} ${(max(large.rssMb) - max(small.rssMb)).toFixed(0)} MB (live heap ${(max(large.liveHeapMb ?? [0]) - max(small.liveHeapMb ?? [0])).toFixed(0)} MB)`);
  }
  return lines.join(', ');
}

export function writeScaleSection(report: ScaleReport): void {
  const { results } = report;
  const descriptions = new Map(results.filter((r) => r.idle).map((r) => [storeOf(r), r.idle!]));
  writeSection(`scale-${report.label}`, [
    `### Scale: ${report.label} (main at ${report.measured})`,
    '',
    `${report.quick ? 'Quick run (`--quick`)' : 'Full run'}, ${report.minutes.toFixed(1)} minutes. Default timing (ttl ${DEFAULT_TIMING.ttlMs / 1000} s, renew deadline ${DEFAULT_TIMING.renewDeadlineMs / 1000} s, retry period ${PERIOD_S} s, poll ${DEFAULT_TIMING.pollIntervalMs} ms); every node also runs the default 24-partition resource (2 replicas).`,
    '',
    `Idle store load, rows written per retry period (${PERIOD_S} s), 3 idle nodes (target ≤ 3, ✓):`,
    '',
    curve(results),
    '',
    `Idle nodes: counters diffed over ${results.find((r) => r.idle)?.idle?.seconds ?? 0} s after placement and a ${results.find((r) => r.idle)?.idle?.settleSeconds ?? 4} s pause (PostgreSQL's row and commit counters over a window as long, 11 s later: its backends report writes up to 10 s late); CPU is each node process's process.cpuUsage() over that window; RSS and heap at its end, then the heap still used after a full garbage collection (what the node keeps: RSS also holds what V8 grew to while placing and has not given back). RSS growth from 100 to 10,000 buckets: ${growth(results) || 'not measured'} (target < 50 MB).`,
    '',
    idleTable(results),
    '',
    ...[...descriptions].map(([store, d]) => `- ${store}: rows written = ${d.rowsMean}; second counter = ${d.otherMeans}.`),
    '',
    'Placement and handoff (cold start: all nodes start at once; "all nodes started": the last node\'s start() resolved; "first bucket acquired": the leader\'s first placement is written once the membership has settled, and every node runs with `placement.expectedNodes` set to the node count, so that is as soon as the last node has joined (without it: once the members have not changed for 3 s, src/owned-items/settle-gate.ts); "first acquired → owned once" is the placement\'s own work; leave: once the placement is balanced, a node that is not the cluster leader closes gracefully). Times are CLOCK_MONOTONIC, taken in the node processes at the event that completed the placement; acquisitions count every `acquired` (a bucket won by a node), against the least possible (every bucket once; the leaver\'s buckets once):',
    '',
    placementTable(results),
    ...(report.skipped.length > 0 ? ['', `Skipped: ${[...new Set(report.skipped)].join('; ')}.`] : []),
  ].join('\n'));
}
