/**
 * `npm run bench -- alternatives`: baton against what Node users pick instead, in one run on
 * this machine: three contender processes per row, the same TTL where the library has one
 * (ROW_TTL_MS), each library used as its README shows (bench/contenders/). See
 * alternatives-trials.ts for what is measured and how. `ALTERNATIVES=name,name` runs only the
 * rows whose name contains one of the words (the section is then not written).
 */
import os from 'node:os';
import { AlternativesStores, type StoreKind } from './alternatives-stores.js';
import { AFTER_TAKEOVER_MS, runAlternativeTrials, type AlternativeFigures, type FaultOutcome, type TrialPlan } from './alternatives-trials.js';
import { quantile, table, writeSection } from './report.js';

/** The TTL every row with a lease or session runs with: short, so that crash trials take seconds. */
const ROW_TTL_MS = 3_000;

/** One row: a contender file on a store, compared with a baton row (`versus`). */
interface Row {
  readonly name: string;
  readonly contender: string;
  readonly store: StoreKind;
  readonly addressStyle: 'url' | 'host-port';
  /** undefined: the library's own default TTL (a defaults row). */
  readonly ttlMs: number | undefined;
  /** The TTL the row really runs with (for windows and timeouts), ms. */
  readonly effectiveTtlMs: number;
  /** For an alternative: the baton row it is compared with. */
  readonly versus?: string;
  /** For an alternative: what its design does, the fixed half of its verdict. */
  readonly about?: string;
}

const baton = (name: string, store: StoreKind): Row => ({ name, contender: 'baton', store, addressStyle: 'url', ttlMs: ROW_TTL_MS, effectiveTtlMs: ROW_TTL_MS });

/**
 * Every row, in the order they run: each alternative right after the baton row it is compared
 * with, so that both meet about the same machine load. To add a contender, write
 * bench/contenders/NAME.ts (see contender.ts) and add its row here, naming that baton row.
 */
const ROWS: readonly Row[] = [
  baton('baton on PostgreSQL', 'postgres'),
  {
    name: 'advisory-lock (PostgreSQL)',
    contender: 'advisory-lock',
    store: 'postgres',
    addressStyle: 'url',
    ttlMs: undefined,
    effectiveTtlMs: ROW_TTL_MS,
    versus: 'baton on PostgreSQL',
    about: 'a session-level pg_advisory_lock on a connection of its own: no TTL, no fencing token, no notion of losing the lock; the server frees it only when it sees that connection close',
  },
  {
    name: 'redlock (Redis)',
    contender: 'redlock',
    store: 'redis',
    addressStyle: 'host-port',
    ttlMs: ROW_TTL_MS,
    effectiveTtlMs: ROW_TTL_MS,
    versus: 'baton on PostgreSQL',
    about: 'a key with a TTL, extended while leading; waiters retry every 200 ± 200 ms (the library default); validity judged on Date.now(); no fencing token',
  },
  baton('baton on ZooKeeper', 'zookeeper'),
  {
    name: 'ZooKeeper recipe (node-zookeeper-client)',
    contender: 'zookeeper-recipe',
    store: 'zookeeper',
    addressStyle: 'host-port',
    ttlMs: ROW_TTL_MS,
    effectiveTtlMs: ROW_TTL_MS,
    versus: 'baton on ZooKeeper',
    about: 'ephemeral sequential znodes, each waiter watching its predecessor; leadership ends on the client\'s disconnected/expired events',
  },
  baton('baton on SQLite', 'sqlite'),
  baton('baton on MariaDB', 'mysql'),
];

/** Trials per row (`ALTERNATIVES_QUICK=1`: a few of each, to try the harness). */
const TRIALS = process.env['ALTERNATIVES_QUICK'] ? { handoffs: 3, crashes: 1, freezes: 1, losses: 1 } : { handoffs: 40, crashes: 5, freezes: 2, losses: 2 };

const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? '—' : `${(a / b).toFixed(2)}`);

/** One fault's outcomes in a few words each: takeover time, and whether the old leader acted after it. */
function faultCell(outcomes: readonly FaultOutcome[]): string {
  return outcomes
    .map((o) => {
      if (o.takeoverMs === undefined) {
        if (o.exited) return 'no takeover; old leader crashed';
        return o.stillActing ? 'no takeover; old leader still acting' : 'no takeover';
      }
      const frozen = o.write !== undefined;
      const quiet = frozen ? 'no act after resuming' : `stopped ${ms(o.marginMs)} before`;
      const until = o.stillActing ? `, still acting when the watch ended ${ms(AFTER_TAKEOVER_MS)} after it` : '';
      const late = o.lateActs > 0 ? `**acted ${o.lateActs}× after it${frozen ? ' (after resuming)' : ''}, for ${ms(o.lateForMs)}${until}**` : quiet;
      return `takeover ${ms(o.takeoverMs)}, ${o.exited ? 'old leader crashed, ' : ''}${late}${o.write === undefined ? '' : `; write after resume: ${o.write}`}`;
    })
    .join('<br>');
}

function speedRows(results: ReadonlyMap<string, AlternativeFigures>): string[][] {
  return ROWS.filter((row) => results.has(row.name)).map((row) => {
    const f = results.get(row.name) as AlternativeFigures;
    const ref = row.versus === undefined ? undefined : results.get(row.versus);
    return [
      row.name,
      row.ttlMs === undefined ? 'none' : ms(row.ttlMs),
      ms(f.firstLeaderMs),
      `${ms(quantile(f.handoffMs, 0.5))} / ${ms(quantile(f.handoffMs, 0.99))}`,
      `${ms(quantile(f.failoverMs, 0.5))} / ${ms(quantile(f.failoverMs, 0.99))}`,
      ref === undefined ? '' : `${ratio(ref.firstLeaderMs, f.firstLeaderMs)} / ${ratio(quantile(ref.handoffMs, 0.5), quantile(f.handoffMs, 0.5))} / ${ratio(quantile(ref.failoverMs, 0.5), quantile(f.failoverMs, 0.5))}`,
    ];
  });
}

function safetyRows(results: ReadonlyMap<string, AlternativeFigures>): string[][] {
  return ROWS.filter((row) => results.has(row.name)).map((row) => {
    const f = results.get(row.name) as AlternativeFigures;
    return [row.name, faultCell(f.freezes), faultCell(f.stalls) || 'n/a (embedded)', faultCell(f.cuts) || 'n/a (embedded)'];
  });
}

function restRows(results: ReadonlyMap<string, AlternativeFigures>): string[][] {
  const rate = (v: number | undefined) => (v === undefined ? 'n/a (embedded)' : v.toFixed(1));
  return ROWS.filter((row) => results.has(row.name)).map((row) => {
    const r = (results.get(row.name) as AlternativeFigures).rest;
    const ref = row.versus === undefined ? undefined : results.get(row.versus)?.rest;
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

/** An alternative's verdict: its design in words, then what this run measured against baton. */
function verdict(row: Row, f: AlternativeFigures, ref: AlternativeFigures | undefined): string {
  const facts: string[] = [];
  if (ref !== undefined) {
    const h = quantile(ref.handoffMs, 0.5) / quantile(f.handoffMs, 0.5);
    const c = quantile(ref.failoverMs, 0.5) / quantile(f.failoverMs, 0.5);
    facts.push(`graceful handoff ${h <= 1 ? `baton ${(1 / h).toFixed(1)}× faster` : `**it is ${h.toFixed(1)}× faster**`} than ${row.versus}`);
    facts.push(`crash failover ${c <= 1 ? `baton ${(1 / c).toFixed(1)}× faster` : `**it is ${c.toFixed(1)}× faster**`}`);
  }
  const faults = [
    ['freeze', f.freezes],
    ['stalled connection', f.stalls],
    ['closed connection', f.cuts],
  ] as const;
  for (const [what, outcomes] of faults) {
    if (outcomes.length === 0) continue;
    if (outcomes.some((o) => o.lateActs > 0)) facts.push(`**two leaders acted at once after a ${what}**`);
    else if (outcomes.some((o) => o.takeoverMs === undefined)) facts.push(`no takeover after a ${what}${outcomes.some((o) => o.stillActing) ? ' (the old leader kept acting)' : ''}`);
  }
  if (f.freezes.some((o) => o.takeoverMs !== undefined && o.write === 'accepted')) facts.push('**a frozen leader\'s write landed after another had taken over** (no fencing)');
  return `- **${row.name}**: ${row.about ?? ''}. Measured: ${facts.join('; ')}.`;
}

export async function run(): Promise<void> {
  const only = process.env['ALTERNATIVES']?.split(',').filter((w) => w !== '');
  const rows = only === undefined ? ROWS : ROWS.filter((row) => only.some((w) => row.name.toLowerCase().includes(w.toLowerCase())));
  const stores = new AlternativesStores();
  const results = new Map<string, AlternativeFigures>();
  const loadAverages: number[] = [];
  const sampler = setInterval(() => loadAverages.push(os.loadavg()[0] ?? 0), 5_000);
  const loadStart = os.loadavg();
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  try {
    for (const row of rows) {
      console.log(`  alternatives: ${row.name} ...`);
      const election = `bench-${runId}-${row.contender}-${row.store}`;
      const store = await stores.create(row.store, `bench-${runId}-${row.contender}`);
      try {
        const plan: TrialPlan = { ...TRIALS, contender: row.contender, addressStyle: row.addressStyle, election, ttlMs: row.ttlMs, effectiveTtlMs: row.effectiveTtlMs };
        const figures = await runAlternativeTrials(plan, store);
        results.set(row.name, figures);
        console.log(JSON.stringify(figures));
      } finally {
        await store.drop();
      }
    }
  } finally {
    clearInterval(sampler);
    await stores.close();
  }
  const loadEnd = os.loadavg();
  const body = report(results, loadStart, loadEnd, loadAverages);
  if (only !== undefined) console.log(body);
  else writeSection('alternatives', body);
}

function report(results: ReadonlyMap<string, AlternativeFigures>, loadStart: number[], loadEnd: number[], samples: number[]): string {
  const load = (l: number[]) => l.map((v) => v.toFixed(1)).join(' / ');
  const meanLoad = samples.length === 0 ? Number.NaN : samples.reduce((s, v) => s + v, 0) / samples.length;
  const verdicts = ROWS.filter((row) => row.about !== undefined && results.has(row.name)).map((row) =>
    verdict(row, results.get(row.name) as AlternativeFigures, row.versus === undefined ? undefined : results.get(row.versus)),
  );
  return [
    '## Against the alternatives',
    '',
    `Three contender processes per row, in one run on this machine, each library used as its README shows (bench/contenders/). Lease or session TTL ${ROW_TTL_MS} ms wherever the library has one; baton renews every TTL/6 and stops acting at 2/3 of the TTL (its defaults' proportions), polls every 100 ms. ` +
      `Trials per row: first leader 1 (empty store, all three campaign at once), graceful handoff ${TRIALS.handoffs} (the leader resigns / unlocks; it campaigns again once another leads), crash failover ${TRIALS.crashes} (SIGKILL at a random phase of a renew period; a new process replaces it), ` +
      `freeze ${TRIALS.freezes} (SIGSTOP for 2 × TTL, then SIGCONT), stalled and closed store connection ${TRIALS.losses} each (through a TCP proxy per contender: stall = no byte either way with the sockets left open, as when the host vanishes; close = every socket closed and new ones refused). ` +
      'The leader "acts" every 10 ms while the library says it leads (isLeader, see bench/contenders/contender.ts) by sending a message to the parent; every time is taken by the parent on its monotonic clock when it sends a command or signal or receives a report. Ratios are baton / alternative (below 1: baton is faster or cheaper).',
    '',
    table(['row', 'TTL', 'first leader', 'handoff p50 / p99', 'crash failover p50 / p99', 'baton / it: first / handoff p50 / failover p50'], speedRows(results)),
    '',
    'What the old leader does under each fault ("takeover": fault -> another leads; "stopped X before": its last act came X before the takeover; a write after resume is the frozen leader\'s write sent as its first act on resuming, without asking isLeader):',
    '',
    table(['row', 'freeze (SIGSTOP 2 × TTL)', 'store connection stalled', 'store connection closed'], safetyRows(results)),
    '',
    'Cost at rest (one leader, two waiters, 10 s, acting paused): requests = chunks each contender sent to its store through its proxy, per second; CPU = process CPU time / wall time; RSS at the end.',
    '',
    table(['row', 'leader requests/s', 'waiter requests/s', 'CPU % per process', 'RSS MB per process', 'baton / it: waiter requests / CPU / RSS'], restRows(results)),
    '',
    `1-minute load average: ${load(loadStart)} (1/5/15 min) at the start, ${load(loadEnd)} at the end, ${meanLoad.toFixed(1)} on average over the run (sampled every 5 s), on ${os.cpus().length} cores.`,
    '',
    '### Verdicts',
    '',
    ...verdicts,
    '',
    'Reproduce: `npm run bench -- alternatives` (needs the local PostgreSQL, MariaDB and Redis, and Debian\'s zookeeper; a row per contender in bench/alternatives.ts). `ALTERNATIVES=redlock npm run bench -- alternatives` runs only matching rows and prints the section without writing it.',
  ].join('\n');
}
