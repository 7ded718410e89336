/**
 * `npm run bench -- throttle`: throttled moves (issue 19). Three nodes hold every bucket on
 * PostgreSQL; a fourth joins, and the time is taken from its session opening until every bucket
 * is held by the node the stored target names and the target is balanced (the joiner holds its
 * share). Without a cap the leader moves the joiner's whole share in one pass; with a cap at most
 * that many buckets are in handoff at once and the rest follow as handoffs complete. Nodes run
 * in this one process (one backend connection each, as separate processes would open); times
 * are on this process's monotonic clock. The peak is the most buckets the leader counted in
 * handoff after any pass (its own tracking, so 0 without a cap).
 */
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { openStore } from '../src/backends/open-store.js';
import { bucketLayout } from '../src/buckets/bucket-layout.js';
import { bucketTiming, validateBucketsOptions } from '../src/buckets/buckets-options.js';
import { readAssignmentTable } from '../src/buckets/assignment-layout.js';
import { BucketOwner } from '../src/buckets/bucket-owner.js';
import type { Backend, SessionTiming } from '../src/contract/index.js';
import { ItemPlacement, type PassReport } from '../src/owned-items/item-placement.js';
import type { MoveLimits } from '../src/owned-items/move-throttle.js';
import { createBenchStore } from './election-stores.js';
import { table, writeSection } from './report.js';

/** Session timing: a ttl long enough that a busy event loop never loses a session mid-run. */
const TIMING: SessionTiming = { ttlMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 1_000, pollIntervalMs: 100 };
/** How often convergence is checked (ms): fine against runs of seconds. */
const CHECK_MS = 20;
/** A run that has not converged by then is reported as such (ms). */
const RUN_LIMIT_MS = 300_000;

interface Case {
  readonly buckets: number;
  readonly limits: MoveLimits;
}

const CASES: readonly Case[] = [
  { buckets: 1_000, limits: {} },
  { buckets: 1_000, limits: { maxMovesInFlight: 50 } },
  { buckets: 10_000, limits: {} },
  { buckets: 10_000, limits: { maxMovesInFlight: 500 } },
  { buckets: 10_000, limits: { maxMovesInFlight: 100 } },
];

interface Result {
  readonly ms: number | null;
  readonly peak: number;
  readonly passes: number;
}

/** Every bucket held by its stored node, and the joiner holding at least its floor share. */
async function converged(reader: Backend, count: number, owners: ReadonlyMap<string, BucketOwner>, joiner: string): Promise<boolean> {
  const stored = await readAssignmentTable(reader.kv, count, () => undefined);
  let share = 0;
  for (const [nodeId, record] of stored) {
    const target = record.assignments === null || record.assignments === 'corrupt' ? [] : record.assignments.value;
    const owned = new Set(owners.get(nodeId)?.owned() ?? []);
    if (target.length !== owned.size || !target.every((b) => owned.has(b))) return false;
    if (nodeId === joiner) share = target.length;
  }
  return share >= Math.floor(count / (owners.size));
}

async function runCase(url: string, c: Case, index: number): Promise<Result> {
  const cluster = `throttle-${index}-${process.pid}`;
  const backends: Backend[] = [];
  const owners = new Map<string, BucketOwner>();
  const open = async (nodeId: string) => {
    const backend = await openStore(url, { cluster, pollIntervalMs: TIMING.pollIntervalMs });
    backends.push(backend);
    const session = await backend.openSession({ nodeId, info: {}, timing: TIMING });
    const owner = new BucketOwner({ backend, session, bucketCount: c.buckets });
    owners.set(nodeId, owner);
    await owner.start();
    return { backend, session };
  };
  try {
    const reader = await openStore(url, { cluster, pollIntervalMs: TIMING.pollIntervalMs });
    backends.push(reader);
    const [a] = [await open('a'), await open('b'), await open('c')];
    const leadership = await a.session.campaign('cluster-leader', { nodeId: 'a' });
    let peak = 0;
    let passes = 0;
    const onPass = (pass: PassReport) => {
      peak = Math.max(peak, pass.inHandoff);
      passes++;
    };
    const timing = bucketTiming(validateBucketsOptions({ count: c.buckets, ...c.limits }));
    const svc = new ItemPlacement({ backend: a.backend, leadership, layout: bucketLayout(c.buckets), timing, onPass });
    await svc.tick();
    const running = svc.run();
    while (!(await converged(reader, c.buckets, new Map([...owners].filter(([id]) => id !== 'd')), 'c'))) await delay(CHECK_MS);
    [peak, passes] = [0, 0];
    const started = performance.now();
    await open('d');
    let ms: number | null = null;
    while (performance.now() - started < RUN_LIMIT_MS) {
      if (await converged(reader, c.buckets, owners, 'd')) {
        ms = performance.now() - started;
        break;
      }
      await delay(CHECK_MS);
    }
    await leadership.resign();
    await running;
    return { ms, peak, passes };
  } finally {
    await Promise.allSettled([...owners.values()].map((o) => o.close({ leave: false })));
    await Promise.allSettled(backends.map((b) => b.close()));
  }
}

const capText = (limits: MoveLimits) =>
  Object.entries(limits).map(([k, v]) => `${k} ${String(v)}`).join(', ') || 'none';

export async function run(): Promise<void> {
  const store = await createBenchStore('postgres');
  const rows: string[][] = [];
  const load = os.loadavg()[0]?.toFixed(1) ?? '?';
  try {
    for (const [i, c] of CASES.entries()) {
      const r = await runCase(store.url, c, i);
      console.log(`throttle: ${c.buckets} buckets, cap ${capText(c.limits)}: ${r.ms === null ? 'no convergence' : `${r.ms.toFixed(0)} ms`}, peak ${r.peak}, ${r.passes} passes`);
      rows.push([String(c.buckets), capText(c.limits), r.ms === null ? `> ${RUN_LIMIT_MS} ms` : `${(r.ms / 1000).toFixed(1)} s`, String(r.peak), String(r.passes)]);
    }
  } finally {
    await store.drop();
  }
  const end = os.loadavg()[0]?.toFixed(1) ?? '?';
  writeSection('throttle', [
    '## Throttled moves (a join under a move cap)',
    '',
    'PostgreSQL; three nodes hold every bucket, a fourth joins and takes a quarter of them. Time from the joiner\'s session opening until every bucket is held by its stored node and the joiner holds its share; peak: the most buckets the leader counted in handoff after a pass (tracked only under a cap); passes: the leader\'s placement passes meanwhile. All nodes in one process (one connection each); nobody\'s `released` listener waits, so a handoff costs only the store\'s round trips.',
    '',
    table(['buckets', 'cap', 'join converges in', 'peak in handoff', 'leader passes'], rows),
    '',
    `Load average (1 min) ${load} at the start, ${end} at the end, on ${os.cpus().length} cores shared with other work.`,
  ].join('\n'));
}
