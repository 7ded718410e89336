/**
 * etcd election benchmark: a section for docs/benchmarks.md (bench/election.ts appends it). On
 * one etcd member started by the test fixture, three contender processes (election-trials.ts,
 * the same harness as the SQL stores): first leader, graceful handoff, crash failover, against
 * the issue's targets. etcd3's own Election is measured beside baton in the same kind of run by
 * `npm run bench -- alternatives` (rows "baton on etcd" and "etcd3 Election (etcd)").
 */
import os from 'node:os';
import type { SessionTiming } from '../src/contract/index.js';
import { startEtcd } from '../test/support/etcd-fixture.js';
import { runElectionTrials } from './election-trials.js';
import { quantile, table } from './report.js';

/** The SQL runs' timing: ttl 3 s (a 3 s lease), stop acting 2 s after the last keep-alive was sent, keep-alive every 500 ms. */
const TIMING: SessionTiming = Object.freeze({ ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500, pollIntervalMs: 100 });
const GRACEFUL_TRIALS = 20;
const CRASH_TRIALS = 10;

export async function etcdElectionSection(): Promise<string> {
  const etcd = await startEtcd();
  const loadBefore = os.loadavg()[0] ?? 0;
  try {
    console.log('  election on etcd ...');
    const f = await runElectionTrials(etcd.url(), TIMING, GRACEFUL_TRIALS, CRASH_TRIALS);
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const failoverTarget = TIMING.ttlMs + TIMING.retryPeriodMs;
    const mark = (ok: boolean) => (ok ? '✓' : '✗');
    return [
      '### etcd (one member, 3 contender processes)',
      '',
      `Lease ${TIMING.ttlMs / 1000} s, renew deadline ${TIMING.renewDeadlineMs} ms, keep-alive every ${TIMING.retryPeriodMs} ms; the same harness and trials as the SQL rows. Load average ${loadBefore.toFixed(1)} at the start, ${(os.loadavg()[0] ?? 0).toFixed(1)} at the end, on ${os.cpus().length} cores.`,
      '',
      table(
        ['measure', 'trials', 'p50', 'p99', 'target'],
        [
          ['first leader (empty store, all three at once)', 1, ms(f.firstLeaderMs), ms(f.firstLeaderMs), `< 100 ms ${mark(f.firstLeaderMs < 100)}`],
          ['graceful handoff (close -> next leads)', f.handoffMs.length, ms(quantile(f.handoffMs, 0.5)), ms(quantile(f.handoffMs, 0.99)), `p99 < 50 ms ${mark(quantile(f.handoffMs, 0.99) < 50)}`],
          ['crash failover (SIGKILL -> next leads)', f.failoverMs.length, ms(quantile(f.failoverMs, 0.5)), ms(quantile(f.failoverMs, 0.99)), `p99 <= ${failoverTarget} ms ${mark(quantile(f.failoverMs, 0.99) <= failoverTarget)}`],
        ],
      ),
    ].join('\n');
  } finally {
    await etcd.close();
  }
}
