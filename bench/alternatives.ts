/**
 * `npm run bench -- alternatives`: baton against what Node users pick instead, in one run on
 * this machine: three contender processes per row, the same TTL where the library has one
 * (ROW_TTL_MS), each library used as its README shows (bench/contenders/). See
 * alternatives-trials.ts for what is measured and how. `ALTERNATIVES=word,word` runs only the
 * rows whose name contains one of the words (`=name`: exactly that name); the section is then
 * printed, not written.
 */
import os from 'node:os';
import { postgresCommitCost } from './alternatives-commit-cost.js';
import { renderAlternatives } from './alternatives-report.js';
import { AlternativesStores, type AlternativesStore, type StoreKind } from './alternatives-stores.js';
import { runAlternativeTrials, type AlternativeFigures, type TrialPlan } from './alternatives-trials.js';
import { writeSection } from './report.js';

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
  /** How the TTL column names a defaults row's TTL. */
  readonly ttlLabel?: string;
  /** Fewer trials than TRIALS (a defaults row: each crash or fault costs one long TTL). */
  readonly trials?: Partial<typeof TRIALS>;
}

const baton = (name: string, store: StoreKind): Row => ({ name, contender: 'baton', store, addressStyle: 'url', ttlMs: ROW_TTL_MS, effectiveTtlMs: ROW_TTL_MS });

/** baton's default timing (DEFAULT_TIMING: TTL 15 s, poll 500 ms). */
const BATON_DEFAULT_TTL_MS = 15_000;
/** node-zookeeper-client's default session timeout. */
const ZOOKEEPER_CLIENT_DEFAULT_MS = 30_000;
/** Trials of a defaults row, where every crash and fault waits one long TTL. */
const DEFAULTS_TRIALS = { handoffs: 20, crashes: 2, freezes: 1, losses: 1 } as const;

const batonDefaults = (name: string, store: StoreKind): Row => ({
  name,
  contender: 'baton',
  store,
  addressStyle: 'url',
  ttlMs: undefined,
  effectiveTtlMs: BATON_DEFAULT_TTL_MS,
  ttlLabel: '15.00 s (default)',
  trials: DEFAULTS_TRIALS,
});

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
    about: 'a session-level pg_advisory_lock on a connection of its own: no TTL, no fencing token, no notion of losing the lock (its pg client has no error listener, so a connection error ends the process); the server frees the lock only when it sees that connection close',
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
    about: 'ephemeral sequential znodes, each waiter watching its predecessor; leadership ends on the client\'s disconnected/expired events; node-zookeeper-client has no read timeout, so a silent connection is never left',
  },
  baton('baton on etcd', 'etcd'),
  {
    name: 'etcd3 Election (etcd)',
    contender: 'etcd3-election',
    store: 'etcd',
    addressStyle: 'host-port',
    ttlMs: ROW_TTL_MS,
    effectiveTtlMs: ROW_TTL_MS,
    versus: 'baton on etcd',
    about: "the `etcd3` package's Election: a lease kept alive every TTL/3, candidates by create revision, each waiting on its predecessor; leadership ends on the campaign's error event, which its lease emits only two TTLs after the last keep-alive (microsoft/etcd3 #155); the leader's write is its proclaim, a transaction on the campaign key's create revision",
  },
  baton('baton on SQLite', 'sqlite'),
  baton('baton on MariaDB', 'mysql'),
  // The libraries' defaults, where a library has a TTL of its own (redlock has none: the caller
  // always gives one; advisory-lock and its row above have none at all).
  batonDefaults('baton on ZooKeeper, defaults', 'zookeeper'),
  {
    name: 'ZooKeeper recipe, defaults',
    contender: 'zookeeper-recipe',
    store: 'zookeeper',
    addressStyle: 'host-port',
    ttlMs: undefined,
    effectiveTtlMs: ZOOKEEPER_CLIENT_DEFAULT_MS,
    ttlLabel: '30.00 s (default)',
    trials: DEFAULTS_TRIALS,
    versus: 'baton on ZooKeeper, defaults',
    about: 'the recipe above with the client\'s default session timeout',
  },
  batonDefaults('baton on PostgreSQL, defaults', 'postgres'),
];

/** Trials per row (`ALTERNATIVES_QUICK=1`: a few of each, to try the harness). */
const TRIALS = process.env['ALTERNATIVES_QUICK'] ? { handoffs: 3, crashes: 1, freezes: 1, losses: 1 } : { handoffs: 40, crashes: 5, freezes: 2, losses: 2 };

export async function run(): Promise<void> {
  const only = process.env['ALTERNATIVES']?.split(',').filter((w) => w !== '');
  const matches = (row: Row, word: string) => (word.startsWith('=') ? row.name.toLowerCase() === word.slice(1).toLowerCase() : row.name.toLowerCase().includes(word.toLowerCase()));
  const rows = only === undefined ? ROWS : ROWS.filter((row) => only.some((word) => matches(row, word)));
  const stores = new AlternativesStores();
  const results = new Map<string, AlternativeFigures>();
  const loadAverages: number[] = [];
  const sampler = setInterval(() => loadAverages.push(os.loadavg()[0] ?? 0), 5_000);
  const loadStart = os.loadavg();
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  try {
    for (const [index, row] of rows.entries()) {
      console.log(`  alternatives: ${row.name} ...`);
      // Names of this row's own: a row's killed contenders must not linger in the next one's election.
      const election = `bench-${runId}-${index}-${row.contender}`;
      const plan: TrialPlan = { ...TRIALS, ...(process.env['ALTERNATIVES_QUICK'] ? {} : row.trials), contender: row.contender, addressStyle: row.addressStyle, election, ttlMs: row.ttlMs, effectiveTtlMs: row.effectiveTtlMs };
      // One row's failure (a server missing, a trial that never ended) leaves the others' figures,
      // and its own up to the failure; the tables say where it stopped.
      const figures = await runRow(stores, row, plan, `bench-${runId}-${index}-${row.contender}`);
      results.set(row.name, figures);
      console.log(JSON.stringify(figures));
      if (figures.failed !== undefined) console.error(`${row.name} failed ${figures.failed}`);
    }
  } finally {
    clearInterval(sampler);
    await stores.close();
  }
  const loadEnd = os.loadavg();
  const commitCost = rows.some((row) => row.store === 'postgres') ? await postgresCommitCost() : undefined;
  const body = renderAlternatives(ROWS, results, { rowTtlMs: ROW_TTL_MS, trials: TRIALS, defaultsTrials: DEFAULTS_TRIALS, loadStart, loadEnd, loadSamples: loadAverages, commitCost });
  if (only !== undefined) console.log(body);
  else writeSection('alternatives', body);
}

/** One row on a fresh store of its kind; a store that cannot be made fails the row, not the run. */
async function runRow(stores: AlternativesStores, row: Row, plan: TrialPlan, storeName: string): Promise<AlternativeFigures> {
  let store: AlternativesStore;
  try {
    store = await stores.create(row.store, storeName);
  } catch (error) {
    return { ...NOTHING_MEASURED, failed: `opening its store: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    return await runAlternativeTrials(plan, store);
  } finally {
    await store.drop();
  }
}

const NOTHING_MEASURED: AlternativeFigures = Object.freeze({ firstLeaderMs: undefined, handoffMs: [], failoverMs: [], freezes: [], stalls: [], cuts: [], rest: undefined });
