/**
 * `baton demo`: a local cluster of `baton start` processes on one SQLite file, with a live view
 * of members and leader, and optionally a leader killed on a timer so failover can be watched.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pause, whenAborted } from '../../async.js';
import { systemClock } from '../../clock.js';
import { loadConfig } from '../../config/load-config.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { watchCluster, type ClusterEvent } from '../demo/cluster-watch.js';
import { parseDuration } from '../demo/duration.js';
import { DemoNodeProcess } from '../demo/node-process.js';
import { json, portsText } from '../output.js';
import { openForReading } from '../store-reader.js';
import type { ClusterView } from './status.js';


const DEMO_DIR = './.baton';
const DEMO_STORE = `sqlite:${DEMO_DIR}/demo.db`;
/**
 * Node timings of the demo (ms): short, so a killed leader is replaced within ~6 s of wall time
 * and the failover is easy to watch; they keep ttl > renewDeadline > 1.2 * retryPeriod.
 */
const DEMO_TIMING = { ttlMs: 6000, renewDeadlineMs: 4000, retryPeriodMs: 1000, pollIntervalMs: 200 };
/** How often the view re-reads the store (wall time, ms), besides change hints. */
const VIEW_POLL_MS = 250;
/** How long Ctrl-C waits for the nodes' graceful close before it kills them (wall time, ms). */
const STOP_GRACE_MS = 15_000;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Start a local cluster of nodes on SQLite and watch members, leader and failover live',
  usage: 'baton demo [--nodes N] [--kill-leader-every DURATION] [--base-port PORT] [--json]',
  examples: ['baton demo', 'baton demo --nodes 5 --kill-leader-every 10s'],
  exitCodes: [
    '0  stopped with Ctrl-C (every node closed)',
    '1  the store could not be opened or read',
    '2  usage: unknown command or flag, bad value, invalid configuration',
  ],
  options: {
    nodes: { type: 'string', help: 'How many nodes to start (default 3)', value: 'n' },
    'kill-leader-every': { type: 'string', help: 'Kill the leader with SIGKILL this often (e.g. 10s) and restart it', value: 'duration' },
    'base-port': { type: 'string', help: 'HTTP port of the first node, the others follow (default 7401; 0 = any free ports)', value: 'port' },
    store: { type: 'string', help: `Store the nodes share (default ${DEMO_STORE}, recreated on start)`, value: 'url' },
    cluster: { type: 'string', help: 'Cluster name (default demo)', value: 'name' },
  },
  async run(values, _positionals, io) {
    const count = integerFlag(values.nodes, 'nodes', 3, 1, 20);
    const basePort = integerFlag(values['base-port'], 'base-port', 7401, 0, 65_535 - count);
    const killEveryMs = typeof values['kill-leader-every'] === 'string' ? parseDuration('kill-leader-every', values['kill-leader-every']) : null;
    const store = typeof values.store === 'string' ? values.store : DEMO_STORE;
    const cluster = typeof values.cluster === 'string' ? values.cluster : 'demo';
    mkdirSync(join(DEMO_DIR, 'demo-logs'), { recursive: true });
    if (store === DEMO_STORE) for (const suffix of ['', '-wal', '-shm']) rmSync(`${DEMO_DIR}/demo.db${suffix}`, { force: true });
    const { config } = loadConfig({ env: {}, values: { cluster, store, election: DEMO_TIMING, log: { level: 'silent' } } });
    const shared = ['--store', store, '--cluster', cluster, '--log-level', 'info',
      ...Object.entries(DEMO_TIMING).flatMap(([k, v]) => [`--election-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)])];
    const backend = await openForReading(config, { create: true });
    const demo = new Demo(io, values.json === true);
    const nodes = Array.from({ length: count }, (_, i) => new DemoNodeProcess({
      nodeId: `node-${i + 1}`,
      port: basePort === 0 ? 0 : basePort + i,
      args: shared,
      logFile: join(DEMO_DIR, 'demo-logs', `node-${i + 1}.log`),
    }));
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      demo.say({ event: 'starting', nodes: count, store, cluster, logs: join(DEMO_DIR, 'demo-logs') }, `baton demo: ${count} nodes on ${store} (cluster ${cluster}); logs in ${DEMO_DIR}/demo-logs; Ctrl-C to stop`);
      for (const node of nodes) startNode(node, demo, stop.signal);
      const watching = watchCluster(backend, systemClock, VIEW_POLL_MS, (events, view) => demo.changed(events, view), (error) => demo.say({ event: 'error', message: String(error) }, `store read failed: ${String(error)}`), stop.signal);
      const killing = killEveryMs === null ? Promise.resolve() : killLeaders(killEveryMs, nodes, demo, stop.signal);
      await whenAborted(stop.signal);
      demo.say({ event: 'stopping' }, 'stopping all nodes (SIGTERM) ...');
      await Promise.all([watching, killing]);
      await stopAll(nodes);
      demo.say({ event: 'stopped' }, 'all nodes stopped');
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stopAll(nodes);
      await backend.close();
    }
  },
};

/** Prints lines (or JSON lines) and remembers the latest view. */
class Demo {
  readonly #io: CliIo;
  readonly #json: boolean;
  view: ClusterView | null = null;

  constructor(io: CliIo, asJson: boolean) {
    this.#io = io;
    this.#json = asJson;
  }

  say(event: Record<string, unknown>, text: string): void {
    const time = new Date().toISOString();
    this.#io.out(this.#json ? json({ time, ...event }) : `${time.slice(11, 23)}  ${text}`);
  }

  changed(events: ClusterEvent[], view: ClusterView): void {
    this.view = view;
    for (const e of events) {
      if (e.type === 'joined') this.say({ event: 'joined', nodeId: e.nodeId, info: e.info }, `${e.nodeId} joined (${String(e.info.host ?? '')} ${portsText(e.info.ports)})`);
      else if (e.type === 'left') this.say({ event: 'left', nodeId: e.nodeId }, `${e.nodeId} left`);
      else this.say({ event: 'leader', nodeId: e.nodeId, term: e.term }, e.nodeId ? `leader is now ${e.nodeId} (term ${e.term})` : 'no leader');
    }
    const members = view.members.map((m) => (m.leader ? `${m.nodeId}*` : m.nodeId)).join(' ');
    this.say({ event: 'view', leader: view.leader?.nodeId ?? null, term: view.leader?.term ?? null, members: view.members.map((m) => m.nodeId) },
      `view: leader ${view.leader?.nodeId ?? '-'} term ${view.leader?.term ?? '-'} | members ${members || '-'}`);
  }
}

function startNode(node: DemoNodeProcess, demo: Demo, stopping: AbortSignal): void {
  node.start((code, signal) => {
    const how = signal ?? `code ${code}`;
    if (stopping.aborted) {
      demo.say({ event: 'exited', nodeId: node.spec.nodeId, code, signal }, `${node.spec.nodeId} exited (${how})`);
    } else if (signal === 'SIGKILL') {
      demo.say({ event: 'restarting', nodeId: node.spec.nodeId }, `${node.spec.nodeId} was killed; restarting it (it rejoins once its old session expires)`);
      startNode(node, demo, stopping);
    } else {
      demo.say({ event: 'exited', nodeId: node.spec.nodeId, code, signal }, `${node.spec.nodeId} exited unexpectedly (${how}); see ${node.spec.logFile}`);
    }
  });
  demo.say({ event: 'started', nodeId: node.spec.nodeId, pid: node.pid ?? null, port: node.spec.port }, `${node.spec.nodeId} started (pid ${node.pid ?? '?'}${node.spec.port ? `, http://127.0.0.1:${node.spec.port}/` : ''})`);
}

async function killLeaders(everyMs: number, nodes: readonly DemoNodeProcess[], demo: Demo, signal: AbortSignal): Promise<void> {
  // The term last killed: its lease stays in the store until it expires, and the process now
  // running under that node id (the restart) is not its holder, so it is left alone.
  let killedTerm: number | null = null;
  while (!signal.aborted) {
    if (!(await pause(systemClock, everyMs, signal))) return;
    const leader = demo.view?.leader;
    const node = nodes.find((n) => n.spec.nodeId === leader?.nodeId && n.running);
    if (!node || !leader || leader.term === killedTerm) continue;
    killedTerm = leader.term;
    demo.say({ event: 'killing', nodeId: node.spec.nodeId }, `killing leader ${node.spec.nodeId} with SIGKILL`);
    node.kill('SIGKILL');
  }
}

/** SIGTERM to every node, then wait; SIGKILL those still running after the grace period. */
async function stopAll(nodes: readonly DemoNodeProcess[]): Promise<void> {
  for (const node of nodes) node.kill('SIGTERM');
  const timer = setTimeout(() => nodes.forEach((n) => n.kill('SIGKILL')), STOP_GRACE_MS);
  await Promise.all(nodes.map((n) => n.exited()));
  clearTimeout(timer);
}

function integerFlag(value: unknown, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}
