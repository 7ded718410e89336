/**
 * `npm run bench -- rolling-restart`: a rolling restart of three nodes with drain against one
 * without (issue 19: "a rolling restart of 3 nodes with drain loses no item for longer than one
 * handoff, measured against a restart without drain"). Three nodes in this process per store,
 * with the cluster leadership, 32 buckets and a resource of 8 partitions with one replica (a
 * partition whose master stops has no holder until its node is back or the rebalance delay
 * ends). Each node in turn is stopped and started again with the same id:
 * - plain: `close()` (it resigns and releases everything at once; buckets are a graceful leave);
 * - drain: `drain()` first (until it holds nothing), then `close()`.
 * After each restart the next waits until every item is held again with the restarted node
 * among the holders. Times are this process's monotonic clock from the nodes' own `acquired` /
 * `released` events: for every item, each stretch without a holder (a release to the next
 * acquisition by anyone), max and sum over the whole restart.
 */
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load-config.js';
import { createNode } from '../src/http/start-node.js';
import type { BatonNode } from '../src/node/baton-node.js';
import { holderGaps, type HolderEvent } from '../test/operations/holder-events.js';
import { startStandalone } from '../test/support/zookeeper-fixture.js';
import { createBenchStore } from './election-stores.js';
import { table, writeSection } from './report.js';

/** A TTL far above any gap measured here (nothing ends by expiry); SQLite polls every 100 ms. */
const TIMING = { ttlMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 1_000, pollIntervalMs: 100 };
const BUCKETS = 32;
const PARTITIONS = 8;
/** The partitions' rebalance delay (ms): a stopped master's partitions wait for it this long at most. */
const REBALANCE_DELAY_MS = 10_000;
const ITEMS = 1 + BUCKETS + PARTITIONS;
const IDS = ['n1', 'n2', 'n3'] as const;

interface Row {
  readonly store: string;
  readonly mode: 'plain' | 'drain';
  readonly handoffs: number;
  readonly maxMs: number;
  readonly sumMs: number;
  readonly load: readonly [number, number];
}

class Cluster {
  readonly events: HolderEvent[] = [];
  readonly nodes = new Map<string, BatonNode>();
  readonly #url: string;
  readonly #cluster: string;

  constructor(url: string, cluster: string) {
    this.#url = url;
    this.#cluster = cluster;
  }

  async start(nodeId: string): Promise<void> {
    const config = loadConfig({
      env: {},
      values: {
        store: this.#url, cluster: this.#cluster, nodeId, http: { port: 0 }, election: TIMING, drain: { onStopMs: 0 },
        buckets: { enabled: true, count: BUCKETS },
        partitions: { r: { partitions: PARTITIONS, replicas: 1, rebalanceDelayMs: REBALANCE_DELAY_MS } },
      },
    }).config;
    const node = createNode(config, { logger: pino({ level: 'silent' }) });
    const record = (item: string, kind: HolderEvent['kind']) => void this.events.push({ time: performance.now(), nodeId, item, kind });
    node.on('acquired', () => record('leader', 'acquired'));
    node.on('released', () => record('leader', 'released'));
    node.buckets.on('acquired', (b) => record(`bucket ${b}`, 'acquired'));
    node.buckets.on('released', (b) => record(`bucket ${b}`, 'released'));
    node.partitions('r').on('acquired', (p) => record(`partition ${p}`, 'acquired'));
    node.partitions('r').on('released', (p) => record(`partition ${p}`, 'released'));
    this.nodes.set(nodeId, node);
    await node.start();
  }

  /** Every item held, by all three nodes. */
  async settled(): Promise<void> {
    for (;;) {
      const holding = [...this.nodes.values()].map((n) => (n.isLeader() ? 1 : 0) + n.buckets.owned().length + n.partitions('r').leading().length);
      if (holding.reduce((a, b) => a + b, 0) === ITEMS && holding.every((h) => h > 0)) return;
      await delay(20);
    }
  }

  async close(): Promise<void> {
    for (const node of this.nodes.values()) await node.close();
  }
}

async function measure(store: string, url: string, mode: Row['mode']): Promise<Row> {
  const cluster = new Cluster(url, `bench-rolling-${mode}`);
  for (const id of IDS) await cluster.start(id);
  await cluster.settled();
  const load0 = os.loadavg()[0] ?? 0;
  const since = performance.now();
  try {
    for (const id of IDS) {
      const node = cluster.nodes.get(id)!;
      if (mode === 'drain') await node.drain({ timeoutMs: 60_000, by: 'bench' });
      await node.close();
      await cluster.start(id);
      await cluster.settled();
    }
  } finally {
    await cluster.close();
  }
  const gaps = holderGaps(cluster.events).filter((g) => g.at >= since).map((g) => g.gapMs);
  return { store, mode, handoffs: gaps.length, maxMs: Math.max(0, ...gaps), sumMs: gaps.reduce((a, b) => a + b, 0), load: [load0, os.loadavg()[0] ?? 0] };
}

async function measureBoth(store: string, url: string): Promise<Row[]> {
  return [await measure(store, url, 'plain'), await measure(store, url, 'drain')];
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const kind of ['sqlite', 'postgres'] as const) {
    const store = await createBenchStore(kind);
    try {
      rows.push(...(await measureBoth(store.name, store.url)));
    } finally {
      await store.drop();
    }
  }
  const zk = await startStandalone();
  try {
    rows.push(...(await measureBoth('ZooKeeper', `zookeeper://${zk.connectString}`)));
  } finally {
    await zk.close();
  }
  const body = [
    '## Rolling restart with drain (issue 19)',
    '',
    `Three nodes in one process per store (ttlMs ${TIMING.ttlMs}, retryPeriodMs ${TIMING.retryPeriodMs}, pollIntervalMs ${TIMING.pollIntervalMs}), holding the cluster leadership, ${BUCKETS} buckets and ${PARTITIONS} partitions with one replica (rebalanceDelayMs ${REBALANCE_DELAY_MS}). Each node in turn is stopped and started again with its id: plain \`close()\`, or \`drain()\` then \`close()\`; the next restart waits until every item is held again with the restarted node among the holders. Without a holder: for every item, each stretch from a release to the next acquisition by any node, on this process's monotonic clock; max and sum over the whole rolling restart (handoffs: how many such stretches). Target: with drain, no stretch longer than one handoff (bench/rolling-restart.ts).`,
    '',
    table(
      ['store', 'restart', 'handoffs', 'without a holder: max', 'sum', '1-min load (start / end)'],
      rows.map((r) => [r.store, r.mode, r.handoffs, `${r.maxMs.toFixed(1)} ms`, `${r.sumMs.toFixed(1)} ms`, `${r.load[0].toFixed(1)} / ${r.load[1].toFixed(1)}`]),
    ),
  ].join('\n');
  writeSection('rolling-restart', body);
  console.log(body);
}
