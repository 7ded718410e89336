/**
 * A node process of `baton demo`: a baton node with buckets and a partitioned resource, a small
 * fenced worker per bucket, and its bucket events sent to the demo over IPC. It closes
 * gracefully on SIGTERM or when the demo's IPC channel closes (the demo ended, however it ended),
 * and exits at once if closing takes longer than the TTL.
 */
import { loadConfig } from '../../config/load-config.js';
import { createNode } from '../../http/start-node.js';
import type { BatonNode } from '../../node/baton-node.js';
import { BucketWorker } from './bucket-worker.js';
import type { DemoNodeMessage, DemoNodeSettings } from './demo-node-protocol.js';

/** How often the node reports its work to the demo (monotonic clock, ms). */
const REPORT_EVERY_MS = 2000;

const settings = JSON.parse(process.argv[2] ?? '{}') as DemoNodeSettings;
let closing = false;
/** The node, once started (a node still starting is left to expire: nothing acts for it yet). */
let started: BatonNode | null = null;

function send(message: DemoNodeMessage): void {
  if (process.connected) process.send?.(message, undefined, {}, () => undefined);
}

/** Closes the node and exits; a close slower than the TTL (a store that hangs) exits anyway. */
function shutDown(code: number): void {
  if (closing) return;
  closing = true;
  setTimeout(() => process.exit(code === 0 ? 1 : code), settings.timing.ttlMs).unref();
  void (started?.close() ?? Promise.resolve()).finally(() => process.exit(code));
}

process.on('disconnect', () => shutDown(0));
process.on('SIGTERM', () => shutDown(0));
process.on('SIGINT', () => shutDown(0));
process.on('SIGHUP', () => shutDown(0));
// Started by a demo that is already gone: nothing to show to, so nothing to run.
if (!process.connected) process.exit(0);

const { config } = loadConfig({
  env: {},
  values: {
    cluster: settings.cluster,
    nodeId: settings.nodeId,
    store: settings.store,
    http: { host: '127.0.0.1', port: settings.port },
    election: settings.timing,
    log: { level: 'info' },
    buckets: { enabled: true, count: settings.bucketCount, offlineGraceMs: settings.offlineGraceMs },
    partitions: { [settings.resource]: { partitions: settings.partitions, replicas: settings.replicas, rebalanceDelayMs: settings.offlineGraceMs } },
  },
});

// Listeners first, so no early acquisition is missed; the store is open before any arrives.
const node = createNode(config);
let worker: BucketWorker | null = null;
node.buckets.on('acquired', (bucket, held) => {
  send({ type: 'acquired', nodeId: settings.nodeId, bucket, token: held.token, at: Date.now() });
  worker ??= new BucketWorker(node.backend.kv, settings.nodeId);
  void worker.work(bucket, held).catch(() => undefined);
});
node.buckets.on('released', (bucket, reason) => {
  send({ type: 'released', nodeId: settings.nodeId, bucket, reason, writes: worker?.total(bucket) ?? 0, at: Date.now() });
});
try {
  await node.start();
} catch (error) {
  console.error(`demo node ${settings.nodeId} could not start: ${String(error)}`);
  process.exit(1);
}
started = node;
setInterval(() => {
  if (worker) send({ type: 'work', nodeId: settings.nodeId, ...worker.drain() });
}, REPORT_EVERY_MS).unref();
send({ type: 'ready', nodeId: settings.nodeId, url: node.url });
void node.done.then((failure) => {
  if (failure !== null) console.error(`demo node ${settings.nodeId} stopped: ${String(failure)}`);
  shutDown(failure === null ? 0 : 1);
});
