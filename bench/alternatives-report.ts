/**
 * The "Against the alternatives" section of docs/benchmarks.md from one run's figures: speed,
 * what the old leader does under each fault, cost at rest, load average, and a verdict per row.
 */
import os from 'node:os';
import type { CommitCost } from './alternatives-commit-cost.js';
import { AFTER_TAKEOVER_MS, type AlternativeFigures, type FaultOutcome } from './alternatives-trials.js';
import { quantile, table } from './report.js';

/** What the report needs of a row. */
export interface ReportRow {
  readonly name: string;
  /** undefined: the library has no TTL, or its default is used. */
  readonly ttlMs: number | undefined;
  /** For an alternative: the baton row it is compared with. */
  readonly versus?: string;
  /** For an alternative: its design in a few words, the fixed half of its verdict. */
  readonly about?: string;
  /** Shown in the TTL column instead of ttlMs (a defaults row). */
  readonly ttlLabel?: string;
}

interface Trials {
  readonly handoffs: number;
  readonly crashes: number;
  readonly freezes: number;
  readonly losses: number;
}

export interface RunFacts {
  readonly rowTtlMs: number;
  readonly trials: Trials;
  /** Trials of the defaults rows. */
  readonly defaultsTrials: Trials;
  readonly loadStart: readonly number[];
  readonly loadEnd: readonly number[];
  /** 1-minute load averages sampled during the run. */
  readonly loadSamples: readonly number[];
  readonly commitCost: CommitCost | undefined;
}

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
const p50 = (values: readonly number[]) => quantile(values, 0.5);
const p99 = (values: readonly number[]) => quantile(values, 0.99);

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b)) return '—';
  if (b === 0) return a === 0 ? '1.00' : '∞ (it: 0)';
  return (a / b).toFixed(2);
}

/** One fault's outcomes in a few words each: takeover time, and whether the old leader acted after it. */
function faultCell(outcomes: readonly FaultOutcome[]): string {
  return outcomes
    .map((o) => {
      const write = o.write === undefined ? '' : `; write after resuming: ${o.write}`;
      if (o.takeoverMs === undefined) {
        if (o.write !== undefined) return `no takeover (it led on once resumed)${write}`;
        const old = o.exited ? 'old leader crashed' : o.stillActing ? 'old leader still acting' : 'old leader stopped';
        return `no takeover; ${old}${write}`;
      }
      const frozen = o.write !== undefined;
      const quiet = frozen ? 'no act after resuming' : `stopped ${ms(o.marginMs)} before`;
      const until = o.stillActing ? `, still acting when the watch ended ${ms(AFTER_TAKEOVER_MS)} after it` : '';
      const late = o.lateActs > 0 ? `**acted ${o.lateActs}× after it${frozen ? ' (after resuming)' : ''}, for ${ms(o.lateForMs)}${until}**` : quiet;
      return `takeover ${ms(o.takeoverMs)}, ${o.exited ? 'old leader crashed, ' : ''}${late}${write}`;
    })
    .join('<br>');
}

/** How the alternative compares with its baton row on one measure, in words (it / baton). */
function compare(what: string, itMs: number, batonMs: number, versus: string): string {
  const r = itMs / batonMs;
  if (!Number.isFinite(r)) return `${what} not compared (not measured in both rows)`;
  if (r >= 0.9 && r <= 1.1) return `${what} about equal to ${versus} (${r.toFixed(2)})`;
  return r < 1 ? `**${what} ${(1 / r).toFixed(1)}× faster than ${versus}**` : `${what} ${r.toFixed(1)}× slower than ${versus}`;
}

/** What the outcomes of one kind of fault say, in plain words. */
function faultFacts(what: string, outcomes: readonly FaultOutcome[]): string[] {
  if (outcomes.length === 0) return [];
  const facts: string[] = [];
  const of = (n: number) => `${n} of ${outcomes.length} trials`;
  const frozen = outcomes.some((o) => o.write !== undefined);
  const late = outcomes.filter((o) => o.lateActs > 0);
  if (late.length > 0) {
    const longest = Math.max(...late.map((o) => o.lateForMs));
    facts.push(`**after a ${what} it acted while another led (${of(late.length)}, up to ${ms(longest)}${late.some((o) => o.stillActing) ? ', still acting when the watch ended' : ''})**`);
  }
  const none = outcomes.filter((o) => o.takeoverMs === undefined);
  if (none.length > 0) facts.push(`after a ${what} nobody took over (${of(none.length)}${none.some((o) => o.stillActing) ? '; the old leader kept leading' : ''})`);
  const crashed = outcomes.filter((o) => o.exited);
  if (crashed.length > 0) facts.push(`a ${what} ended the leader's process (${of(crashed.length)})`);
  const clean = outcomes.filter((o) => o.takeoverMs !== undefined && o.lateActs === 0 && !o.exited);
  if (clean.length > 0) facts.push(frozen ? `after a ${what} it did not act once resumed (${of(clean.length)})` : `after a ${what} it stopped before another took over (${of(clean.length)}, by ${ms(Math.min(...clean.map((o) => o.marginMs ?? 0)))} at least)`);
  const landed = outcomes.filter((o) => o.takeoverMs !== undefined && o.write === 'accepted');
  if (landed.length > 0) facts.push(`**its write after resuming landed although another led (${of(landed.length)}): no fencing**`);
  const refused = outcomes.filter((o) => o.write === 'refused');
  if (refused.length > 0) facts.push(`its write after resuming was refused (${of(refused.length)})`);
  return facts;
}

function verdict(row: ReportRow, f: AlternativeFigures, ref: AlternativeFigures | undefined): string {
  const facts: string[] = [];
  if (ref !== undefined && row.versus !== undefined) {
    facts.push(compare('graceful handoff (p50)', p50(f.handoffMs), p50(ref.handoffMs), row.versus));
    facts.push(compare('crash failover (p50)', p50(f.failoverMs), p50(ref.failoverMs), row.versus));
  }
  facts.push(...faultFacts('freeze', f.freezes), ...faultFacts('stalled connection', f.stalls), ...faultFacts('closed connection', f.cuts));
  if (f.failed !== undefined) facts.push(`**the row failed ${f.failed}**; the trials after that were not run`);
  return `- **${row.name}**${row.about === undefined ? '' : `: ${row.about}`}. Measured: ${facts.join('; ')}.`;
}

/** The row's name, marked when the row failed part-way (its measured figures stay in the tables). */
function rowName(row: ReportRow, f: AlternativeFigures): string {
  return f.failed === undefined ? row.name : `${row.name} (**failed** ${f.failed})`;
}

function speedRows(rows: readonly ReportRow[], results: ReadonlyMap<string, AlternativeFigures>): string[][] {
  return rows.map((row) => {
    const f = results.get(row.name) as AlternativeFigures;
    const ref = row.versus === undefined ? undefined : results.get(row.versus);
    return [
      rowName(row, f),
      row.ttlLabel ?? (row.ttlMs === undefined ? 'none' : ms(row.ttlMs)),
      ms(f.firstLeaderMs),
      `${ms(p50(f.handoffMs))} / ${ms(p99(f.handoffMs))}`,
      `${ms(p50(f.failoverMs))} / ${ms(p99(f.failoverMs))}`,
      ref === undefined ? '' : `${ratio(ref.firstLeaderMs, f.firstLeaderMs)} / ${ratio(p50(ref.handoffMs), p50(f.handoffMs))} / ${ratio(p50(ref.failoverMs), p50(f.failoverMs))}`,
    ];
  });
}

function restRows(rows: readonly ReportRow[], results: ReadonlyMap<string, AlternativeFigures>): string[][] {
  const rate = (v: number | undefined) => (v === undefined ? 'n/a (embedded)' : v.toFixed(1));
  return rows.map((row) => {
    const f = results.get(row.name) as AlternativeFigures;
    const r = f.rest;
    const ref = row.versus === undefined ? undefined : results.get(row.versus)?.rest;
    if (r === undefined) return [rowName(row, f), '—', '—', '—', '—', ''];
    return [
      row.name,
      rate(r.leaderRequestsPerSecond),
      rate(r.waiterRequestsPerSecond),
      r.cpuPercent.toFixed(2),
      r.rssMb.toFixed(0),
      ref === undefined ? '' : `${ratio(ref.waiterRequestsPerSecond, r.waiterRequestsPerSecond)} / ${ratio(ref.cpuPercent, r.cpuPercent)} / ${ratio(ref.rssMb, r.rssMb)}`,
    ];
  });
}

/** The section's markdown. `rows` in run order; rows without figures are left out. */
export function renderAlternatives(allRows: readonly ReportRow[], results: ReadonlyMap<string, AlternativeFigures>, facts: RunFacts): string {
  const rows = allRows.filter((row) => results.has(row.name));
  const load = (l: readonly number[]) => l.map((v) => v.toFixed(1)).join(' / ');
  const meanLoad = facts.loadSamples.length === 0 ? Number.NaN : facts.loadSamples.reduce((s, v) => s + v, 0) / facts.loadSamples.length;
  const { trials, defaultsTrials: d } = facts;
  const cost = facts.commitCost;
  return [
    '## Against the alternatives',
    '',
    `Three contender processes per row, in one run on this machine, each library used as its README shows (bench/contenders/). Lease or session TTL ${facts.rowTtlMs} ms wherever the library has one; baton renews every TTL/6, stops acting at 2/3 of the TTL (its defaults' proportions) and polls every 100 ms (SQLite, MariaDB; a waiter on PostgreSQL sleeps until NOTIFY or the holder's expiry wakes it, at most one renew period; one on ZooKeeper sleeps on its predecessor's watch, re-checking once per TTL). ` +
      `Trials per row: first leader 1 (empty store, all three campaign at once), graceful handoff ${trials.handoffs} (the leader resigns / unlocks; it campaigns again once another leads), crash failover ${trials.crashes} (SIGKILL at a random phase of a renew period; a new process replaces it), ` +
      `freeze ${trials.freezes} (SIGSTOP for 2 × TTL, then SIGCONT), stalled and closed store connection ${trials.losses} each (through a TCP proxy per contender: stall = no byte and no close passes either way, as when the host vanished; close = every socket closed and new ones refused). ` +
      `The rows marked "defaults" run each library with its own default timing (a fault there waits one long TTL, so fewer trials: ${d.handoffs} handoffs, ${d.crashes} crashes, ${d.freezes} freeze, ${d.losses} stall and ${d.losses} close). ` +
      'A row that failed part-way is marked **failed** with where and why; what it measured before stays in the tables. The leader "acts" every 10 ms while the library says it leads (isLeader, see bench/contenders/contender.ts) by sending a message to the parent; every time is taken by the parent on its monotonic clock when it sends a command or signal or receives a report. Ratios are baton / alternative against the baton row named in the verdicts (below 1: baton is faster or cheaper).',
    '',
    table(['row', 'TTL', 'first leader', 'handoff p50 / p99', 'crash failover p50 / p99', 'baton / it: first / handoff p50 / failover p50'], speedRows(rows, results)),
    '',
    'What the old leader does under each fault ("takeover": fault -> another leads; "stopped X before": its last act came X before the takeover; the write after resuming is the frozen leader\'s first act on resuming, a store write sent without asking isLeader):',
    '',
    table(['row', 'freeze (SIGSTOP 2 × TTL)', 'store connection stalled', 'store connection closed'], rows.map((row) => {
      const f = results.get(row.name) as AlternativeFigures;
      const none = f.failed === undefined ? 'n/a (embedded)' : '— (not run)';
      return [rowName(row, f), faultCell(f.freezes) || '— (not run)', faultCell(f.stalls) || none, faultCell(f.cuts) || none];
    })),
    '',
    'Cost at rest (one leader, two waiters, 10 s, acting paused): requests = chunks each contender sent to its store through its proxy, per second; CPU = process CPU time / wall time; RSS at the end.',
    '',
    table(['row', 'leader requests/s', 'waiter requests/s', 'CPU % per process', 'RSS MB per process', 'baton / it: waiter requests / CPU / RSS'], restRows(rows, results)),
    '',
    ...(cost === undefined ? [] : [`One single-row UPDATE on this PostgreSQL in the same run (p50 of 3 × 200): ${ms(cost.durableMs)} committed durably (synchronous_commit on), ${ms(cost.asynchronousMs)} asynchronously.`, '']),
    `1-minute load average: ${load(facts.loadStart)} (1/5/15 min) at the start, ${load(facts.loadEnd)} at the end, ${meanLoad.toFixed(1)} on average over the run (sampled every 5 s), on ${os.cpus().length} cores.`,
    '',
    '### Verdicts (written from this run\'s figures)',
    '',
    ...rows.map((row) => verdict(row, results.get(row.name) as AlternativeFigures, row.versus === undefined ? undefined : results.get(row.versus))),
    '',
    'Reproduce: `npm run bench -- alternatives` (needs the local PostgreSQL, MariaDB and Redis, and Debian\'s zookeeper and etcd-server; one row per contender in bench/alternatives.ts). `ALTERNATIVES=redlock npm run bench -- alternatives` runs only the matching rows and prints the section without writing it; `ALTERNATIVES_QUICK=1` runs a few trials of each kind.',
  ].join('\n');
}
