/**
 * `npm run bench -- alternatives`: baton against what Node users pick instead, in one run on
 * this machine: three contender processes per row, the same TTL where the library has one
 * (ROW_TTL_MS), each library used as its README shows (bench/contenders/). See
 * alternatives-trials.ts for what is measured and how. `ALTERNATIVES=name,name` runs only the
 * rows whose name contains one of the words (the section is then not written).
 */
import os from 'node:os';
import { postgresCommitCost } from './alternatives-commit-cost.js';
import { renderAlternatives } from './alternatives-report.js';
import { AlternativesStores, type StoreKind } from './alternatives-stores.js';
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
];

/** Trials per row (`ALTERNATIVES_QUICK=1`: a few of each, to try the harness). */
const TRIALS = process.env['ALTERNATIVES_QUICK'] ? { handoffs: 3, crashes: 1, freezes: 1, losses: 1 } : { handoffs: 40, crashes: 5, freezes: 2, losses: 2 };

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
  const commitCost = rows.some((row) => row.store === 'postgres') ? await postgresCommitCost() : undefined;
  const body = renderAlternatives(ROWS, results, { rowTtlMs: ROW_TTL_MS, trials: TRIALS, loadStart, loadEnd, loadSamples: loadAverages, commitCost });
  if (only !== undefined) console.log(body);
  else writeSection('alternatives', body);
}

