/**
 * `npm run bench -- handoff-ab`: baton's graceful handoff on PostgreSQL against the
 * `advisory-lock` package's, interleaved (issue 18). The alternatives benchmark runs one row
 * after the other, so a load that changes between rows moves their ratio; here both groups of
 * three contender processes (bench/contenders/) run side by side on the same server, and the
 * handoffs alternate between them in ABBA order, so the load of each moment weighs on both.
 *
 * `HANDOFF_AB_BASELINE=DIR` adds a third group: baton from another build (DIR is that build's
 * dist/, e.g. of main before a change), so two versions of baton are compared in one run;
 * `HANDOFF_AB_BASELINE_LABEL` names it in the table (default: its path).
 * `HANDOFF_AB_TRIALS=N` sets the handoffs per group (default 60).
 * `HANDOFF_AB_STORE=zookeeper` runs baton on ZooKeeper against the hand-written ZooKeeper recipe
 * on node-zookeeper-client instead (bench/contenders/zookeeper-recipe.ts), on one standalone
 * server, each group under an election of its own; its section is `handoff-ab-zookeeper`.
 *
 * On PostgreSQL, per group it also reads the server's counters for the group's own database
 * (pg_stat_database: sessions = connections opened, xact_commit = statements, each autocommitted)
 * over the trials, less what the same processes do at rest over as long, per handoff: a
 * connection opened on the path of a handoff, or a statement more, shows there. After the
 * handoffs it times one durable commit on the server (alternatives-commit-cost.ts): the one WAL
 * flush baton's handoff on PostgreSQL waits for and an advisory lock's does not.
 *
 * A handoff slower than 3 x the TTL, or one that never came, names its group on stderr and
 * leaves a file with its contenders' reports and stderr (handoff-stall.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { Contenders } from './alternatives-contenders.js';
import { AlternativesStores, type AlternativesStore, type StoreKind } from './alternatives-stores.js';
import { firstLeader } from './alternatives-trials.js';
import { watchedHandoff } from './handoff-stall.js';
import { postgresCommitCost, type CommitCost } from './alternatives-commit-cost.js';
import { quantile, table, writeSection } from './report.js';

/** The TTL of every group, as in the alternatives rows (ROW_TTL_MS there). */
const TTL_MS = 3_000;
/** Handoffs per group. */
const TRIALS = Number(process.env['HANDOFF_AB_TRIALS'] ?? 60);
/**
 * How long to wait before reading the server's counters, ms: PostgreSQL 15 backends report
 * their statistics at most once a second while busy and within 10 s when idle.
 */
const STATS_SETTLE_MS = 11_000;

/** What a run compares: baton and one alternative on one store. */
interface Setup {
  readonly store: StoreKind;
  /** The store's name in titles and group names. */
  readonly title: string;
  readonly section: string;
  /** The alternative every ratio is taken against. */
  readonly reference: { readonly name: string; readonly contender: string; readonly addressStyle: 'url' | 'host-port' };
  /** Whether to read PostgreSQL's per-database counters (connections opened, commits). */
  readonly counters: boolean;
}

const SETUPS: Readonly<Record<'postgres' | 'zookeeper', Setup>> = {
  postgres: { store: 'postgres', title: 'PostgreSQL', section: 'handoff-ab', reference: { name: 'advisory-lock (PostgreSQL)', contender: 'advisory-lock', addressStyle: 'url' }, counters: true },
  zookeeper: {
    store: 'zookeeper',
    title: 'ZooKeeper',
    section: 'handoff-ab-zookeeper',
    reference: { name: 'ZooKeeper recipe (node-zookeeper-client)', contender: 'zookeeper-recipe', addressStyle: 'host-port' },
    counters: false,
  },
};

interface Group {
  readonly name: string;
  readonly contender: string;
  readonly worker?: string;
  readonly addressStyle: 'url' | 'host-port';
  readonly c: Contenders;
  readonly store: AlternativesStore;
  readonly database: string;
  readonly times: number[];
}

interface Counters {
  readonly sessions: number;
  readonly commits: number;
}

async function counters(database: string): Promise<Counters> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  client.on('error', () => undefined); // reported by the query that fails
  await client.connect();
  try {
    const { rows } = await client.query<{ sessions: string; xact_commit: string }>('SELECT sessions, xact_commit FROM pg_stat_database WHERE datname = $1', [database]);
    return { sessions: Number(rows[0]?.sessions ?? 0), commits: Number(rows[0]?.xact_commit ?? 0) };
  } finally {
    await client.end();
  }
}

/** Every group's counters after the statistics settled; zeros without counters (ZooKeeper), at once. */
async function allCounters(setup: Setup, groups: readonly Group[]): Promise<Counters[]> {
  if (!setup.counters) return groups.map(() => ({ sessions: 0, commits: 0 }));
  await delay(STATS_SETTLE_MS);
  return Promise.all(groups.map((g) => counters(g.database)));
}

export async function run(): Promise<void> {
  const baseline = process.env['HANDOFF_AB_BASELINE'];
  const setup = process.env['HANDOFF_AB_STORE'] === 'zookeeper' ? SETUPS.zookeeper : SETUPS.postgres;
  const batonName = `baton on ${setup.title}`;
  const kinds: { name: string; contender: string; addressStyle: 'url' | 'host-port'; worker?: string }[] = [
    { name: batonName, contender: 'baton', addressStyle: 'url' },
    setup.reference,
    ...(baseline === undefined ? [] : [{ name: `${batonName}, ${process.env['HANDOFF_AB_BASELINE_LABEL'] ?? `build ${baseline}`}`, contender: 'baton', addressStyle: 'url' as const, worker: path.join(baseline, 'bench', 'alternatives-worker.js') }]),
  ];
  const stores = new AlternativesStores();
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  const groups: Group[] = [];
  const loadSamples: number[] = [];
  const loadStart = os.loadavg();
  const sampler = setInterval(() => loadSamples.push(os.loadavg()[0] ?? 0), 5_000);
  try {
    for (const [index, kind] of kinds.entries()) {
      const store = await stores.create(setup.store, `ab-${runId}-${index}`);
      const database = new URL(store.address(undefined, 'url')).pathname.slice(1);
      const c = new Contenders({ contender: kind.contender, addressStyle: kind.addressStyle, election: `ab-${runId}-${index}`, ttlMs: TTL_MS, worker: kind.worker }, store);
      groups.push({ ...kind, c, store, database, times: [] });
      await firstLeader(c);
    }
    // At rest over as long as the trials will take: what the groups do without any handoff.
    const restStart = await allCounters(setup, groups);
    const restStartedAt = performance.now();
    await delay(setup.counters ? STATS_SETTLE_MS : 0);
    const restEnd = await allCounters(setup, groups);
    const restSeconds = (performance.now() - restStartedAt) / 1000;

    const trialsStart = restEnd;
    const trialsStartedAt = performance.now();
    for (let round = 0; round < TRIALS; round++) {
      // ABBA (rotated for three groups): no group always goes first after the pause.
      const order = round % 2 === 0 ? groups : [...groups].reverse();
      const rotated = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
      for (const g of rotated) g.times.push(await watchedHandoff(g, round, TTL_MS));
    }
    const trialsSeconds = (performance.now() - trialsStartedAt) / 1000 + (setup.counters ? STATS_SETTLE_MS / 1000 : 0);
    const trialsEnd = await allCounters(setup, groups);
    const perHandoff = (i: number, key: keyof Counters) => {
      const atRest = (((restEnd[i] as Counters)[key] - (restStart[i] as Counters)[key]) / restSeconds) * trialsSeconds;
      return ((trialsEnd[i] as Counters)[key] - (trialsStart[i] as Counters)[key] - atRest) / TRIALS;
    };
    // A graceful handoff of baton on PostgreSQL waits for one WAL flush (the handover's durable
    // commit), which an advisory lock never makes: what one costs on this server, in this run.
    const commitCost = setup.store === 'postgres' ? await postgresCommitCost() : undefined;
    clearInterval(sampler);
    const body = render(setup, groups, perHandoff, loadStart, os.loadavg(), loadSamples, commitCost);
    console.log(body);
    writeSection(setup.section, body);
  } finally {
    clearInterval(sampler);
    for (const g of groups) await g.c.stopAll();
    for (const g of groups) await g.store.drop();
    await stores.close();
  }
}

function render(setup: Setup, groups: readonly Group[], perHandoff: (i: number, key: keyof Counters) => number, loadStart: number[], loadEnd: number[], samples: number[], commitCost: CommitCost | undefined): string {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const reference = groups.find((g) => g.contender === setup.reference.contender) as Group;
  const refName = setup.reference.contender;
  const refP50 = quantile(reference.times, 0.5);
  // Paired: trial i of a group against trial i of the reference, taken moments apart.
  const paired = (g: Group) => quantile(g.times.map((t, i) => t / (reference.times[i] as number)), 0.5);
  const rows = groups.map((g, i) => [
    g.name,
    g.times.length,
    ms(quantile(g.times, 0.5)),
    ms(quantile(g.times, 0.99)),
    g === reference ? '' : (quantile(g.times, 0.5) / refP50).toFixed(2),
    g === reference ? '' : paired(g).toFixed(2),
    ...(setup.counters ? [perHandoff(i, 'sessions').toFixed(2), perHandoff(i, 'commits').toFixed(1)] : []),
  ]);
  const load = (l: readonly number[]) => l.map((v) => v.toFixed(1)).join(' / ');
  const mean = samples.length === 0 ? Number.NaN : samples.reduce((s, v) => s + v, 0) / samples.length;
  const where = setup.counters ? 'each in a database of its own' : 'each in an election of its own';
  return [
    `## Graceful handoff on ${setup.title}, interleaved with ${refName} (issue 18)`,
    '',
    `Three contender processes per group, every group running at once on the same server, ${where}; TTL ${TTL_MS} ms (baton: the alternatives rows' timing). ` +
      `The handoffs alternate between the groups (ABBA order), ${TRIALS} per group, each as in the alternatives benchmark (the leader resigns or unlocks; the time until another reports leading, taken by the parent on its monotonic clock). ` +
      `Ratio p50: p50 over ${refName}'s p50; paired: the median over trials of a handoff's time over the ${refName} handoff taken next to it.` +
      (setup.counters ? " Per handoff: connections opened (pg_stat_database.sessions) and transactions committed (xact_commit) in the group's database during the trials, less the same processes' rate at rest, per handoff." : ''),
    '',
    table(['group', 'handoffs', 'p50', 'p99', 'ratio p50', 'ratio paired', ...(setup.counters ? ['connections opened per handoff', 'transactions per handoff'] : [])], rows),
    '',
    `1-minute load average: ${load(loadStart)} (1/5/15 min) at the start, ${load(loadEnd)} at the end, ${mean.toFixed(1)} on average (sampled every 5 s), on ${os.cpus().length} cores.`,
    '',
    ...(commitCost === undefined
      ? []
      : [
          `One durable commit on this server right after the handoffs (a one-row UPDATE, p50): ${ms(commitCost.durableMs)}, against ${ms(commitCost.asynchronousMs)} with synchronous_commit off. ` +
            'baton\'s handoff waits for one (the handover grants a term, which must survive a crash); an advisory lock\'s never does.',
          '',
        ]),
    'Reproduce: `npm run bench -- handoff-ab` (`HANDOFF_AB_STORE=zookeeper` for ZooKeeper against the recipe; `HANDOFF_AB_BASELINE=/path/to/other/dist` adds baton from another build as a third group, `HANDOFF_AB_BASELINE_LABEL` names it; `HANDOFF_AB_TRIALS=N`).',
  ].join('\n');
}
