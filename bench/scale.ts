/**
 * `npm run bench -- scale [--quick] [--stores=sqlite,postgres,mysql,zookeeper,etcd] [--label=NAME]
 * [--buckets=100,1000] [--placements=10000x10,1000x50|none] [--idle-seconds=N] [--settle-seconds=N] [--measured=TEXT]`:
 * store load, idle node cost, placement and handoff with many buckets (issue 12), on every
 * store, with the code of the checkout it runs in. Writes the section `scale-<label>` (default
 * label `latest`) of docs/benchmarks.md, so a "before" and an "after" run can stand side by side.
 * `--buckets` replaces the bucket counts of the idle runs (`none`: no idle run), `--placements` the extra placement
 * runs (buckets x nodes); `--idle-seconds` the idle window (default 8 retry periods: how long an
 * idle node takes to give back the heap it grew while placing is another question than what it
 * costs at once); `--settle-seconds` the pause between placement and the idle window (default 4:
 * the window then also counts V8 giving back that heap; 60 measures the steady state); `--measured` names the code measured when this is no git checkout.
 * Each configuration is bench/scale-run.ts; the node processes are bench/scale-worker.ts.
 */
import { execFileSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { DEFAULT_TIMING } from '../src/contract/timing.js';
import { startEtcd, type EtcdCluster } from '../test/support/etcd-fixture.js';
import { startStandalone, type StandaloneZooKeeper } from '../test/support/zookeeper-fixture.js';
import { createBenchStore } from './election-stores.js';
import { runConfiguration, type RunResult, type RunSpec } from './scale-run.js';
import { writeScaleSection } from './scale-report.js';
import { etcdCounter, mysqlCounter, postgresCounter, sqliteCounter, zookeeperCounter, type LoadCounter } from './scale-store-load.js';
import type { ScaleCluster } from './scale-cluster.js';

type Kind = 'sqlite' | 'postgres' | 'mysql' | 'zookeeper' | 'etcd';
const KINDS: readonly Kind[] = ['sqlite', 'postgres', 'mysql', 'zookeeper', 'etcd'];

interface Plan {
  /** Bucket counts of the idle runs (3 nodes, one per process). */
  readonly idleBuckets: readonly number[];
  readonly idleWindowMs: number;
  /** Pause between placement and the idle window; undefined: scale-run.ts SETTLE_MS. */
  readonly settleMs?: number | undefined;
  /** Extra placement-and-leave runs: [buckets, nodes]. */
  readonly placements: readonly (readonly [number, number])[];
  readonly placementTimeoutMs: number;
}

/** Extra time a placement may take per bucket beyond 10,000 (100,000 buckets on a loaded machine take minutes). */
const TIMEOUT_PER_BUCKET_MS = 4;
const timeoutFor = (plan: Plan, buckets: number) => plan.placementTimeoutMs + Math.max(0, buckets - 10_000) * TIMEOUT_PER_BUCKET_MS;

/** A full run: ~15 minutes on 2 cores; the idle window is 8 retry periods. */
const FULL: Plan = {
  idleBuckets: [100, 1_000, 10_000, 100_000],
  idleWindowMs: 8 * DEFAULT_TIMING.retryPeriodMs,
  placements: [[1_000, 10], [10_000, 10], [1_000, 50], [10_000, 50]],
  placementTimeoutMs: 60_000,
};
const QUICK: Plan = { idleBuckets: [100, 10_000], idleWindowMs: 4 * DEFAULT_TIMING.retryPeriodMs, placements: [[10_000, 10]], placementTimeoutMs: 30_000 };
/**
 * etcd keeps every revision until it is compacted (docs/etcd.md asks for auto-compaction, as
 * operators run it); every 20 s here, since a benchmark's runs churn far more than a deployment.
 * It does not explain the slow etcd rows: 10 nodes x 10,000 buckets right after the 100,000-
 * bucket run took 39-56 s and 15,011-19,099 acquisitions uncompacted, and 11.9 s / 10,000 and
 * 37.2 s / 15,764 compacted (docs/benchmarks.md, scale-final).
 */
const ETCD_AUTO_COMPACTION = ['--auto-compaction-mode=periodic', '--auto-compaction-retention=20s'];
/** Node processes at most: 50 nodes run as sessions, 5 to a process (each its own store connection). */
const MAX_PROCESSES = 10;
/** Connections one node may open: PostgreSQL 4 pooled + 1 LISTEN; MariaDB 4 pooled + 1 for the polls' batched reads. */
const CONNECTIONS_PER_NODE: Partial<Record<Kind, number>> = { postgres: 5, mysql: 5 };
/** Share of the server's max_connections the benchmark may take (other clients use the rest). */
const CONNECTION_SHARE = 0.6;

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

function withOverrides(plan: Plan): Plan {
  const buckets = option('buckets');
  const placements = option('placements');
  const idleSeconds = option('idle-seconds');
  const settleSeconds = option('settle-seconds');
  return {
    ...plan,
    ...(settleSeconds !== undefined ? { settleMs: Number(settleSeconds) * 1000 } : {}),
    ...(idleSeconds !== undefined ? { idleWindowMs: Number(idleSeconds) * 1000 } : {}),
    ...(buckets !== undefined ? { idleBuckets: buckets === 'none' ? [] : buckets.split(',').map(Number) } : {}),
    ...(placements !== undefined ? { placements: placements === 'none' ? [] : placements.split(',').map((p) => p.split('x').map(Number) as [number, number]) } : {}),
  };
}

/** How many nodes a store can hold within its connection limit (Infinity when it has none). */
async function maxNodes(kind: Kind): Promise<number> {
  const per = CONNECTIONS_PER_NODE[kind];
  if (per === undefined) return Infinity;
  let max: number;
  if (kind === 'postgres') {
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    max = Number((await client.query<{ max_connections: string }>('SHOW max_connections')).rows[0]?.max_connections);
    await client.end();
  } else {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    const [[row]] = (await connection.query('SELECT @@max_connections AS m')) as unknown as [{ m: number }[]];
    max = Number(row?.m);
    await connection.end();
  }
  return Math.floor((max * CONNECTION_SHARE) / per);
}

/** A server the benchmark starts for a whole store kind (ZooKeeper, etcd); clusters keep runs apart. */
type Server = { readonly kind: 'zookeeper'; readonly zk: StandaloneZooKeeper } | { readonly kind: 'etcd'; readonly etcd: EtcdCluster };

async function startServer(kind: Kind): Promise<Server | null> {
  if (kind === 'zookeeper') return { kind, zk: await startStandalone() };
  if (kind === 'etcd') return { kind, etcd: await startEtcd({ extraArgs: ETCD_AUTO_COMPACTION }) };
  return null;
}

/** A fresh store for one configuration: its URL, its load counter, and how to remove it. */
async function openStoreFor(kind: Kind, server: Server | null): Promise<{ url: string; counter: (c: ScaleCluster) => Promise<LoadCounter>; drop: () => Promise<void> }> {
  if (server?.kind === 'zookeeper') return { url: `zookeeper://${server.zk.connectString}`, counter: async () => zookeeperCounter(server.zk.server.clientPort), drop: async () => undefined };
  if (server?.kind === 'etcd') return { url: server.etcd.url(), counter: async () => etcdCounter(server.etcd.endpoints[0]!), drop: async () => undefined };
  if (kind === 'zookeeper' || kind === 'etcd') throw new Error(`no ${kind} server started`);
  const store = await createBenchStore(kind);
  const counter = kind === 'postgres' ? () => postgresCounter(store.url) : kind === 'mysql' ? () => mysqlCounter(store.url) : async (c: ScaleCluster) => sqliteCounter(async () => (await c.stats()).map((s) => s.sqlite));
  return { url: store.url, counter, drop: () => store.drop() };
}

export async function run(): Promise<void> {
  const plan = withOverrides(process.argv.includes('--quick') ? QUICK : FULL);
  const kinds = (option('stores')?.split(',') ?? KINDS) as Kind[];
  const label = option('label') ?? 'latest';
  const started = Date.now();
  const results: RunResult[] = [];
  const skipped: string[] = [];
  let configuration = 0;
  for (const kind of kinds) {
    const server = await startServer(kind);
    try {
      const limit = await maxNodes(kind);
      const specs: Omit<RunSpec, 'store' | 'cluster' | 'counter'>[] = [
        ...plan.idleBuckets.map((buckets) => ({ buckets, nodes: 3, processes: 3, idleWindowMs: plan.idleWindowMs, settleMs: plan.settleMs, placementTimeoutMs: timeoutFor(plan, buckets) })),
        ...plan.placements.map(([buckets, nodes]) => ({ buckets, nodes, processes: Math.min(nodes, MAX_PROCESSES), idleWindowMs: 0, placementTimeoutMs: timeoutFor(plan, buckets) })),
      ];
      for (const spec of specs) {
        if (spec.nodes > limit) {
          skipped.push(`${kind}: ${spec.nodes} nodes need ${spec.nodes * CONNECTIONS_PER_NODE[kind]!} connections, over ${CONNECTION_SHARE * 100}% of the server's max_connections`);
          continue;
        }
        console.log(`  ${kind}: ${spec.buckets} buckets over ${spec.nodes} nodes ...`);
        const store = await openStoreFor(kind, server);
        try {
          results.push(await runConfiguration({ ...spec, store: store.url, cluster: `scale${++configuration}`, counter: store.counter }));
        } finally {
          await store.drop();
        }
      }
    } finally {
      await (server?.kind === 'zookeeper' ? server.zk : server?.etcd)?.close();
    }
  }
  writeScaleSection({ label, measured: option('measured') ?? measuredCommit(), quick: process.argv.includes('--quick'), results, skipped, minutes: (Date.now() - started) / 60_000 });
}

/** The code measured: the checked-out commit, and whether src/ or bench/ had uncommitted changes. */
function measuredCommit(): string {
  const head = execFileSync('git', ['log', '-1', '--format=%h %s', 'HEAD'], { encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench'], { encoding: 'utf8' }).trim() !== '';
  return dirty ? `${head} (with uncommitted changes in src/ or bench/)` : head;
}
