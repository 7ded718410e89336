/**
 * One node of the churn test, as a separate process: opens the store, a session, the
 * cluster-leader elector (the leader runs the AssignService) and a BucketOwner. Every
 * acquisition and release is appended, synchronously, to the log file given as argument, with
 * a CLOCK_MONOTONIC timestamp (`process.hrtime.bigint()`, comparable across processes on one
 * machine), so the lines survive a SIGKILL. SIGTERM is a graceful leave.
 *
 * Usage: node churn-worker.js <storeUrl> <cluster> <nodeId> <logFile> <config JSON>
 */
import { appendFileSync } from 'node:fs';
import { openStore } from '../../src/backends/open-store.js';
import type { SessionTiming } from '../../src/contract/index.js';
import { AssignService } from '../../src/buckets/assign-service.js';
import { BucketOwner } from '../../src/buckets/bucket-owner.js';
import { LeaderElector } from '../../src/election/index.js';
import { oneSession } from '../support/one-session.js';

export interface WorkerConfig {
  readonly timing: SessionTiming;
  readonly count: number;
  readonly offlineGraceMs: number;
  readonly assignIntervalMs: number;
}

/** One line of a worker's log. */
export interface WorkerEvent {
  readonly e: 'acq' | 'rel' | 'up';
  readonly node: string;
  readonly bucket?: string;
  readonly token?: number;
  /** process.hrtime.bigint() as a decimal string. */
  readonly t: string;
}

const [url, cluster, nodeId, logFile, configText] = process.argv.slice(2) as [string, string, string, string, string];
const config = JSON.parse(configText) as WorkerConfig;

function record(event: Omit<WorkerEvent, 't' | 'node'>): void {
  appendFileSync(logFile, `${JSON.stringify({ ...event, node: nodeId, t: process.hrtime.bigint().toString() })}\n`);
}

const backend = await openStore(url, { cluster, pollIntervalMs: config.timing.pollIntervalMs, migrate: false });
const session = await backend.openSession({ nodeId, info: {}, timing: config.timing });
const buckets = { count: config.count, offlineGraceMs: config.offlineGraceMs, assignIntervalMs: config.assignIntervalMs };
const elector = new LeaderElector({ backend, sessions: oneSession(session, { nodeId }) });
elector.on('acquired', () => {
  const leadership = elector.leadership();
  if (leadership !== null) void new AssignService({ backend, leadership, buckets }).run();
});
const owner = new BucketOwner({ backend, session, bucketCount: config.count });
owner.on('acquired', (bucket, { token }) => record({ e: 'acq', bucket, token }));
// The work stops when the signal aborts, before this listener runs: the recorded end is late, never early.
owner.on('released', (bucket) => record({ e: 'rel', bucket }));
elector.start();
await owner.start();
record({ e: 'up' });

let leaving = false;
process.on('SIGTERM', () => {
  if (leaving) return;
  leaving = true;
  void (async () => {
    await owner.close();
    await elector.close();
    await backend.close();
    process.exit(0);
  })();
});
session.lost.addEventListener('abort', () => {
  // A lost session ends this worker (the owner already released everything with reason 'lost').
  void owner.close().then(() => backend.close()).finally(() => process.exit(3));
});
