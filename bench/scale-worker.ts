/**
 * One node process of `npm run bench -- scale` (forked with IPC): hosts one or more full
 * BatonNodes (session, elector, buckets, the default partitioned resource, HTTP on port 0), one
 * store connection each, and reports what they own. Usage: scale-worker.js SETUP_JSON.
 *   <- 'start' (start every node at once), 'stats' (or 'stats-after-gc': after a full garbage
 *      collection, so the heap is what is live), { leave: nodeId } (graceful close), 'exit'
 *   -> { type: 'loaded' }, { type: 'delta', ... } (what a node acquired / released since the last
 *      delta, with the CLOCK_MONOTONIC time of the last change, comparable across processes),
 *      { type: 'stats', ... } (this process's CPU, memory, SQLite statements), { type: 'left', nodeId, t }
 */
import { pino } from 'pino';
import { loadConfig } from '../src/config/load-config.js';
import { createNode } from '../src/http/start-node.js';
import type { BatonNode } from '../src/node/baton-node.js';
import { countSqliteStatements, sqliteStatements } from './scale-sqlite-count.js';

export interface WorkerSetup {
  readonly store: string;
  readonly cluster: string;
  readonly nodeIds: readonly string[];
  readonly buckets: number;
  readonly resource: string;
  /** placement.expectedNodes of every node: the cluster's node count (a deployment knows its replicas). */
  readonly expectedNodes: number;
}

export type WorkerMessage =
  | { readonly type: 'loaded' }
  /** `changes`: "+id" for an acquired bucket, "-id" for a released one, in order. */
  | { readonly type: 'delta'; readonly nodeId: string; readonly changes: string[]; readonly partitions: number; readonly t: string; readonly firstT: string }
  /** A node's start() resolved (its session open, its first readings done). */
  | { readonly type: 'started'; readonly nodeId: string; readonly t: string; readonly cpuUs: number }
  | { readonly type: 'stats'; readonly cpuUs: number; readonly t: string; readonly rss: number; readonly heapUsed: number; readonly leaders: string[]; readonly sqlite: ReturnType<typeof sqliteStatements> }
  | { readonly type: 'left'; readonly nodeId: string; readonly t: string }
  | { readonly type: 'failed'; readonly message: string };

/** How long changes are gathered into one delta, ms: keeps IPC small while placing 100,000 items. */
const DELTA_BATCH_MS = 20;

const setup = JSON.parse(process.argv[2] ?? '{}') as WorkerSetup;
const send = (message: WorkerMessage) => process.send?.(message);
const now = () => process.hrtime.bigint().toString();
const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
if (setup.store.startsWith('sqlite:')) countSqliteStatements();

/** Gathers one node's changes and sends them as one delta per DELTA_BATCH_MS. */
class DeltaReporter {
  readonly #node: BatonNode;
  #changes: string[] = [];
  #last = now();
  /** When the batch's first change came. */
  #first = now();
  #batching = false;

  constructor(node: BatonNode) {
    this.#node = node;
    node.buckets.on('acquired', (bucket) => this.#note(`+${bucket}`));
    node.buckets.on('released', (bucket) => this.#note(`-${bucket}`));
    const resource = node.partitions(setup.resource);
    resource.on('acquired', () => this.#note(null));
    resource.on('released', () => this.#note(null));
  }

  #note(change: string | null): void {
    if (change !== null) this.#changes.push(change);
    this.#last = now();
    if (this.#batching) return;
    this.#first = this.#last;
    this.#batching = true;
    setTimeout(() => this.#flush(), DELTA_BATCH_MS);
  }

  #flush(): void {
    this.#batching = false;
    const partitions = this.#node.partitions(setup.resource).leading().length;
    send({ type: 'delta', nodeId: this.#node.nodeId, changes: this.#changes, partitions, t: this.#last, firstT: this.#first });
    this.#changes = [];
  }
}

const logger = pino({ level: process.env['SCALE_LOG'] ?? 'silent' }, pino.destination(2));
const nodes = setup.nodeIds.map((nodeId) => {
  const values = { store: setup.store, cluster: setup.cluster, nodeId, http: { port: 0 }, log: { level: 'silent' }, placement: { expectedNodes: setup.expectedNodes }, buckets: { enabled: true, count: setup.buckets }, partitions: { [setup.resource]: {} } };
  const node = createNode(loadConfig({ env: {}, values }).config, { logger });
  new DeltaReporter(node); // listeners go on before start: items may be won before start() resolves
  return node;
});

async function onMessage(message: unknown): Promise<void> {
  if (message === 'start') await Promise.all(nodes.map(async (node) => send({ type: 'started', nodeId: (await node.start(), node.nodeId), t: now(), cpuUs: cpuUs() })));
  else if (message === 'stats' || message === 'stats-after-gc') {
    if (message === 'stats-after-gc') (globalThis as { gc?: () => void }).gc?.(); // forked with --expose-gc
    const { rss, heapUsed } = process.memoryUsage();
    send({ type: 'stats', cpuUs: cpuUs(), t: now(), rss, heapUsed, leaders: nodes.filter((n) => n.isLeader()).map((n) => n.nodeId), sqlite: sqliteStatements() });
  } else if (typeof message === 'object' && message !== null && 'leave' in message) {
    const node = nodes.find((n) => n.nodeId === (message as { leave: string }).leave);
    await node?.close();
    send({ type: 'left', nodeId: node?.nodeId ?? '', t: now() });
  } else if (message === 'exit') {
    await Promise.all(nodes.map((node) => node.close()));
    process.exit(0);
  }
}

process.on('message', (message) => {
  onMessage(message).catch((error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  });
});
process.on('disconnect', () => process.exit(0));
send({ type: 'loaded' });
