/**
 * `npm run bench -- transfer`: a leader transfer against a plain graceful handoff (issue 19: "no
 * moment where none leads for longer than one handoff"). Three nodes in this process on each of
 * SQLite, PostgreSQL and ZooKeeper; every time is taken on this process's monotonic clock from
 * the nodes' own `acquired` / `released` events:
 * - handoff: the leader's elector resigns; from its `released` to the next `acquired`;
 * - transfer: `transferLeadership` to the node that is not the target of the last one (so
 *   transfers alternate and often go back to a node that stepped down a moment ago); the gap
 *   from the old leader's `released` to the new one's `acquired`, and the whole call, from the
 *   request to the new term seen by the caller; "direct" counts transfers whose next term was
 *   the target's (no term in between).
 */
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { systemClock } from '../src/clock.js';
import { openStore } from '../src/backends/open-store.js';
import { loadConfig } from '../src/config/load-config.js';
import type { Backend } from '../src/contract/contract.js';
import { CLUSTER_LEADER_ELECTION, transferLeadership } from '../src/election/index.js';
import { startNode } from '../src/http/start-node.js';
import type { BatonNode } from '../src/node/baton-node.js';
import { startStandalone } from '../test/support/zookeeper-fixture.js';
import { createBenchStore } from './election-stores.js';
import { quantile, table, writeSection } from './report.js';

/** A TTL far above any gap measured (no term ends by expiry); retry 1 s, SQLite polls every 100 ms. */
const TIMING = { ttlMs: 10_000, renewDeadlineMs: 7_000, retryPeriodMs: 1_000, pollIntervalMs: 100 };
const TRIALS = 20;
/** Between trials, so the nodes' follow-up reads settle (not a wait for any state). */
const BETWEEN_MS = 300;

interface Event {
  readonly nodeId: string;
  readonly kind: 'acquired' | 'released';
  readonly at: number;
}

interface Row {
  readonly store: string;
  readonly handoff: number[];
  readonly gap: number[];
  readonly total: number[];
  readonly direct: number;
  readonly load: readonly [number, number];
}

async function nextAcquired(events: Event[], from: number): Promise<Event> {
  for (;;) {
    const found = events.slice(from).find((e) => e.kind === 'acquired');
    if (found) return found;
    await delay(2);
  }
}

async function measure(name: string, url: string): Promise<Row> {
  const events: Event[] = [];
  const nodes: BatonNode[] = [];
  const logger = pino({ level: 'silent' });
  for (const nodeId of ['n1', 'n2', 'n3']) {
    const config = loadConfig({ env: {}, values: { store: url, cluster: 'bench-transfer', nodeId, http: { port: 0 }, election: TIMING } }).config;
    const node = await startNode(config, { logger });
    node.on('acquired', () => void events.push({ nodeId, kind: 'acquired', at: performance.now() }));
    node.on('released', () => void events.push({ nodeId, kind: 'released', at: performance.now() }));
    nodes.push(node);
  }
  const reader: Backend = await openStore(url, { cluster: 'bench-transfer', readOnly: true });
  const load0 = os.loadavg()[0] ?? 0;
  const row = { store: name, handoff: [] as number[], gap: [] as number[], total: [] as number[], direct: 0 };
  try {
    while (!nodes.some((n) => n.isLeader())) await delay(20);
    for (let i = 0; i < TRIALS; i++) {
      const leader = nodes.find((n) => n.isLeader())!;
      const from = events.length;
      await leader.elector!.resign();
      const acquired = await nextAcquired(events, from);
      const released = events.slice(from).find((e) => e.kind === 'released')!;
      row.handoff.push(acquired.at - released.at);
      await delay(BETWEEN_MS);
    }
    for (let i = 0; i < TRIALS; i++) {
      const leader = (await reader.leader(CLUSTER_LEADER_ELECTION))!;
      const to = ['n1', 'n2', 'n3'].filter((id) => id !== leader.nodeId)[i % 2]!;
      const from = events.length;
      const started = performance.now();
      await transferLeadership(reader, { to, by: 'bench', waitMs: 30_000, clock: systemClock });
      const acquired = await nextAcquired(events, from);
      const released = events.slice(from).find((e) => e.kind === 'released' && e.nodeId === leader.nodeId)!;
      row.gap.push(acquired.at - released.at);
      row.total.push(acquired.at - started);
      if (acquired.nodeId === to) row.direct++;
      await delay(BETWEEN_MS);
    }
  } finally {
    for (const node of nodes) await node.close();
    await reader.close();
  }
  return { ...row, load: [load0, os.loadavg()[0] ?? 0] };
}

const ms = (values: readonly number[], q: number) => `${quantile(values, q).toFixed(1)} ms`;

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const kind of ['sqlite', 'postgres'] as const) {
    const store = await createBenchStore(kind);
    try {
      rows.push(await measure(store.name, store.url));
    } finally {
      await store.drop();
    }
  }
  const zk = await startStandalone();
  try {
    rows.push(await measure('ZooKeeper', `zookeeper://${zk.connectString}`));
  } finally {
    await zk.close();
  }
  const body = [
    '## Leader transfer (issue 19)',
    '',
    `Three nodes in one process per store (ttlMs ${TIMING.ttlMs}, retryPeriodMs ${TIMING.retryPeriodMs}, pollIntervalMs ${TIMING.pollIntervalMs}); ${TRIALS} graceful handoffs (the leader resigns), then ${TRIALS} transfers alternating between the two other nodes (so a transfer often goes back to the node that stepped down a moment ago). Handoff and gap: from the old leader's \`released\` to the next \`acquired\`; whole transfer: from the request to the new term; direct: transfers whose next term was the target's. Target: the gap within one handoff (bench/transfer.ts).`,
    '',
    table(
      ['store', 'handoff p50 / p99', 'transfer gap p50 / p99', 'whole transfer p50 / p99', 'direct', '1-min load (start / end)'],
      rows.map((r) => [r.store, `${ms(r.handoff, 0.5)} / ${ms(r.handoff, 0.99)}`, `${ms(r.gap, 0.5)} / ${ms(r.gap, 0.99)}`, `${ms(r.total, 0.5)} / ${ms(r.total, 0.99)}`, `${r.direct} of ${r.gap.length}`, `${r.load[0].toFixed(1)} / ${r.load[1].toFixed(1)}`]),
    ),
  ].join('\n');
  writeSection('transfer', body);
  console.log(body);
}
