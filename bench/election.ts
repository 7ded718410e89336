/**
 * `npm run bench -- election`: leader election on every SQL store with three contender
 * processes: time to the first leader, graceful handoff and crash failover (see
 * election-trials.ts for how times are taken). Appends the ZooKeeper rows when
 * bench/election-zookeeper.ts exists, and the etcd rows (bench/election-etcd.ts).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SessionTiming } from '../src/contract/index.js';
import { etcdElectionSection } from './election-etcd.js';
import { onEachSqlStore, type SQL_KINDS } from './election-stores.js';
import type { ElectionFigures } from './election-trials.js';
import { runElectionTrials } from './election-trials.js';
import { quantile, table, writeSection } from './report.js';

/**
 * Short timings so crash trials take seconds: ttl 3 s; renew every 500 ms; stop acting 2 s
 * after the last renewal began; poll every 100 ms (SQLite, MySQL; PostgreSQL's safety net).
 */
const TIMING: SessionTiming = Object.freeze({ ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500, pollIntervalMs: 100 });
const GRACEFUL_TRIALS = 20;
const CRASH_TRIALS = 10;

const ms = (value: number) => `${value.toFixed(1)} ms`;

function row(name: string, kind: (typeof SQL_KINDS)[number], f: ElectionFigures): string[] {
  const handoffTarget = kind === 'postgres' ? 50 : TIMING.pollIntervalMs + 50;
  const failoverTarget = TIMING.ttlMs + TIMING.retryPeriodMs;
  const p99h = quantile(f.handoffMs, 0.99);
  const p99f = quantile(f.failoverMs, 0.99);
  return [
    name,
    `${ms(f.firstLeaderMs)} ${f.firstLeaderMs < 100 ? '✓' : '✗'}`,
    ms(quantile(f.handoffMs, 0.5)),
    `${ms(p99h)} ${p99h < handoffTarget ? '✓' : '✗'} (< ${handoffTarget} ms)`,
    ms(quantile(f.failoverMs, 0.5)),
    `${ms(p99f)} ${p99f <= failoverTarget ? '✓' : '✗'} (≤ ${failoverTarget} ms)`,
  ];
}

async function zookeeperRows(): Promise<string> {
  const file = fileURLToPath(new URL('./election-zookeeper.js', import.meta.url));
  if (!existsSync(file)) return '';
  const module = (await import('./election-zookeeper.js' as string)) as { zookeeperElectionSection?: () => Promise<string> };
  return module.zookeeperElectionSection ? `\n\n${await module.zookeeperElectionSection()}` : '';
}

export async function run(): Promise<void> {
  const loadBefore = os.loadavg()[0] ?? 0;
  const { results: rows, skipped } = await onEachSqlStore('election', async (store, kind) =>
    row(store.name, kind, await runElectionTrials(store.url, TIMING, GRACEFUL_TRIALS, CRASH_TRIALS)),
  );
  const body = [
    '## Leader election (SQL stores)',
    '',
    `Three contender processes per store; timing ttlMs ${TIMING.ttlMs}, renewDeadlineMs ${TIMING.renewDeadlineMs}, retryPeriodMs ${TIMING.retryPeriodMs}, pollIntervalMs ${TIMING.pollIntervalMs}. ` +
      `First leader: one trial (empty database, all three campaign at once). Graceful handoff: ${GRACEFUL_TRIALS} trials (the leader closes; the closed worker rejoins). ` +
      `Crash failover: ${CRASH_TRIALS} trials (SIGKILL at a random point of a renew period; a new worker replaces it). ` +
      'Every time is taken by the one parent process on its monotonic clock (performance.now()) when it sends the command or receives the report over IPC, so no clocks are compared across processes.',
    '',
    table(['store', 'first leader (< 100 ms)', 'handoff p50', 'handoff p99', 'crash failover p50', 'crash failover p99'], rows),
    '',
    'Targets: first leader < 100 ms; graceful handoff p99 < 50 ms on PostgreSQL (NOTIFY wakes the waiters) and < pollIntervalMs + 50 ms on SQLite and MySQL (waiters poll); crash failover ≤ ttlMs + retryPeriodMs (the lease must expire on the database clock first, then a waiter notices within one poll).',
    '',
    "Reference, Apache Amoro's database HA (ha_lease table): a graceful close does not release the lease, so the successor waits a full TTL (30 s by default); the first election takes about 5 s + TTL; a crash also costs a full TTL.",
    '',
    `Machine load (1-minute load average) at the start and end of the SQL runs: ${loadBefore.toFixed(1)} and ${(os.loadavg()[0] ?? 0).toFixed(1)} on ${os.cpus().length} cores; every hop of a handoff (IPC, database, NOTIFY) waits for a CPU, so the tails grow with load.`,
    ...(skipped.length > 0 ? ['', `Skipped: ${skipped.join('; ')}.`] : []),
  ].join('\n');
  writeSection('election', `${body}${await zookeeperRows()}\n\n${await etcdElectionSection()}`);
}
