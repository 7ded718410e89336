/**
 * One baton node as a separate process, for the partition failover tests: a full BatonNode
 * (session, elector, partitions feature, HTTP on a free port) from the config given as JSON.
 * Every `started` and `stopped` of a partition is appended synchronously to the log file with a
 * CLOCK_MONOTONIC timestamp (`process.hrtime.bigint()`, comparable across processes on one
 * machine), so the lines survive a SIGKILL. SIGTERM closes the node gracefully.
 *
 * Usage: node partition-worker.js <logFile> <config values JSON>
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import { createNode } from '../../src/http/start-node.js';

/** One line of a worker's log. */
export interface PartitionEvent {
  readonly e: 'start' | 'stop' | 'up';
  readonly node: string;
  readonly partition?: number;
  readonly token?: number;
  /** process.hrtime.bigint() as a decimal string. */
  readonly t: string;
}

const [logFile, valuesText] = process.argv.slice(2) as [string, string];
const { config } = loadConfig({ env: {}, values: JSON.parse(valuesText) as unknown });

function record(event: Omit<PartitionEvent, 't' | 'node'>): void {
  appendFileSync(logFile, `${JSON.stringify({ ...event, node: config.nodeId, t: process.hrtime.bigint().toString() })}\n`);
}

/**
 * The node's own log lines: silent, unless BATON_TEST_PINO_DIR names a directory to keep them in
 * (one `<cluster>-<log file name>.pino` per process, debug level) for looking into a failed run.
 */
function nodeLogger(): pino.Logger {
  const dir = process.env['BATON_TEST_PINO_DIR'];
  if (dir === undefined || dir === '') return pino({ level: 'silent' });
  return pino({ level: 'debug' }, pino.destination({ dest: path.join(dir, `${config.cluster}-${path.basename(logFile)}.pino`), sync: true }));
}

// Listeners go on before start(): a partition may be won before start() resolves.
const node = createNode(config, { logger: nodeLogger() });
for (const name of Object.keys(config.partitions ?? {})) {
  const resource = node.partitions(name);
  resource.on('acquired', (partition, { token }) => record({ e: 'start', partition, token }));
  // The hot-path answer is already false when this runs, and the election is resigned only after it.
  resource.on('released', (partition) => record({ e: 'stop', partition }));
}
await node.start();
record({ e: 'up' });

process.on('SIGTERM', () => void node.close().then(() => process.exit(0)));
