/**
 * `baton demo`: a local cluster of baton nodes on one SQLite file, showing every capability live:
 * the cluster leader, buckets spread over the nodes with fenced work per bucket, a partitioned
 * resource with Pinot-style tables and who leads each, and faults (on a timer or a key press)
 * with each handover and the time it took.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { whenAborted } from '../../async.js';
import type { Backend } from '../../contract/contract.js';
import { DEFAULT_TIMING } from '../../contract/timing.js';
import { systemClock } from '../../clock.js';
import { loadConfig } from '../../config/load-config.js';
import { StateError } from '../../errors.js';
import { addResourceKey } from '../../partitions/resource-admin.js';
import { LEAD_CONTROLLER_RESOURCE } from '../../partitions/resource-options.js';
import { UsageError, type Command } from '../command.js';
import { watchCluster } from '../demo/cluster-watch.js';
import { DemoCluster, MAX_DEMO_NODES } from '../demo/demo-cluster.js';
import { DemoLock } from '../demo/demo-lock.js';
import type { DemoNodeMessage, DemoNodeSettings } from '../demo/demo-node-protocol.js';
import { DemoPrinter, seconds } from '../demo/demo-printer.js';
import { parseDuration } from '../duration.js';
import { LeaderKiller, tickEvery, type LeaderSeen } from '../demo/fault-timer.js';
import { FAULTS, Faults } from '../demo/faults.js';
import { Handovers } from '../demo/handovers.js';
import { KEYS_HELP, listenToKeys } from '../demo/keys.js';
import { TableWatch } from '../demo/table-watch.js';
import { portsText } from '../output.js';
import { openForReading } from '../store-reader.js';

const DEMO_DIR = './.baton';
const DEMO_STORE = `sqlite:${DEMO_DIR}/demo.db`;
/**
 * Node timings of the demo (ms): short, so a killed leader is replaced within ~6 s of wall time
 * and the failover is easy to watch; they keep ttl > renewDeadline > 1.2 * retryPeriod. NOT the
 * production defaults (DEFAULT_TIMING: ttl 15 s), which the demo prints beside them.
 */
const DEMO_TIMING = { ttlMs: 6000, renewDeadlineMs: 4000, retryPeriodMs: 1000, pollIntervalMs: 200 };
/** Buckets and partitions of the demo: few, so each one's owner fits on a line. */
const DEMO_BUCKETS = 12;
const DEMO_PARTITIONS = 6;
/** Nodes per partition (a master and one standby that takes over at once). */
const DEMO_REPLICAS = 2;
/** How long a vanished node keeps its buckets and partitions (ms): past one TTL, so a killed node that restarts gets them back. */
const DEMO_GRACE_MS = 10_000;
/** Pinot-style tables registered in the demo's partitioned resource. */
const DEMO_TABLES = ['airlineStats_OFFLINE', 'airlineStats_REALTIME', 'baseballStats_OFFLINE', 'githubEvents_REALTIME', 'meetupRsvp_REALTIME', 'starbucksStores_OFFLINE'];
/** How often the view re-reads the store (wall time, ms), besides change hints. */
const VIEW_POLL_MS = 250;
/** How often the demo reads who leads each table from a node's API (ms). */
const TABLES_POLL_MS = 1000;
/** How often the fenced work per node is summed up (ms). */
const WORK_SUMMARY_MS = 10_000;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Start a local cluster on SQLite and watch leader, buckets, partitions and failover live',
  usage: 'baton demo [--nodes N] [--kill-leader-every DURATION] [--fault-every DURATION] [--base-port PORT] [--json]',
  examples: ['baton demo', 'baton demo --nodes 5 --kill-leader-every 10s', 'baton demo --fault-every 20s --json'],
  exitCodes: [
    '0  stopped with Ctrl-C, q, SIGTERM or SIGHUP, or its output was closed (every node closed)',
    '1  the store could not be opened or read; another demo runs on the store; every node exited on its own',
    '2  usage: unknown command or flag, bad value, invalid configuration',
  ],
  options: {
    nodes: { type: 'string', help: 'How many nodes to start (default 3)', value: 'n' },
    'kill-leader-every': { type: 'string', help: 'Kill the leader with SIGKILL this often (e.g. 10s) and restart it', value: 'duration' },
    'fault-every': { type: 'string', help: 'Inject a fault this often, in turn: kill, freeze, stop the leader, add a node', value: 'duration' },
    'base-port': { type: 'string', help: 'HTTP port of the first node, the others follow (default 7401; 0 = any free ports)', value: 'port' },
    store: { type: 'string', help: `Store the nodes share (default ${DEMO_STORE}, recreated on start)`, value: 'url' },
    cluster: { type: 'string', help: 'Cluster name (default demo)', value: 'name' },
  },
  async run(values, _positionals, io) {
    const count = integerFlag(values.nodes, 'nodes', 3, 1, MAX_DEMO_NODES);
    const basePort = integerFlag(values['base-port'], 'base-port', 7401, 0, 65_535 - MAX_DEMO_NODES);
    const killEveryMs = durationFlag(values['kill-leader-every'], 'kill-leader-every');
    const faultEveryMs = durationFlag(values['fault-every'], 'fault-every');
    const store = typeof values.store === 'string' ? values.store : DEMO_STORE;
    const cluster = typeof values.cluster === 'string' ? values.cluster : 'demo';
    const { config } = loadConfig({ env: {}, values: { cluster, store, election: DEMO_TIMING, log: { level: 'silent' } } });
    mkdirSync(join(DEMO_DIR, 'demo-logs'), { recursive: true });
    const lock = store.startsWith('sqlite:') ? DemoLock.acquire(`${store.slice('sqlite:'.length)}.demo-lock`, store) : null;
    const stop = new AbortController();
    const printer = new DemoPrinter(io, values.json === true);
    const clock = systemClock;
    const handovers = new Handovers(printer, clock);
    const urls = new Map<string, string>();
    let exitCode = 0;
    const onMessage = (message: DemoNodeMessage): void => {
      if (message.type === 'ready') {
        urls.set(message.nodeId, message.url);
        printer.say({ event: 'ready', nodeId: message.nodeId, url: message.url }, `${message.nodeId} serves its API and dashboard on ${message.url}/`);
      } else handovers.message(message);
    };
    const nodes = new DemoCluster({
      printer,
      specOf: (i) => ({
        nodeId: `node-${i + 1}`,
        port: basePort === 0 ? 0 : basePort + i,
        logFile: join(DEMO_DIR, 'demo-logs', `node-${i + 1}.log`),
        settings: nodeSettings(store, cluster),
      }),
      onMessage,
      onAllGone: () => {
        printer.say({ event: 'error', message: 'every node exited' }, `every node exited on its own; see ${DEMO_DIR}/demo-logs`);
        exitCode = 1;
        stop.abort();
      },
    });
    // Whatever ends this process, no node outlives it (they also exit when their IPC channel closes).
    const onExit = (): void => {
      nodes.killNow();
      lock?.release();
    };
    process.on('exit', onExit);
    const onSignal = (): void => stop.abort();
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
    const unwatchOutput = printer.watch(process.stdout, () => stop.abort());
    let backend: Backend | null = null;
    let restoreKeys: (() => void) | null = null;
    try {
      if (lock === null) await refuseLiveCluster(config, store);
      else if (store === DEMO_STORE) for (const suffix of ['', '-wal', '-shm']) rmSync(`${DEMO_DIR}/demo.db${suffix}`, { force: true });
      if (lock !== null) mkdirSync(dirname(store.slice('sqlite:'.length)), { recursive: true });
      backend = await openForReading(config, { create: true });
      for (const table of DEMO_TABLES) await addResourceKey(backend.kv, LEAD_CONTROLLER_RESOURCE, table);
      printer.say({ event: 'starting', pid: process.pid, nodes: count, store, cluster, logs: join(DEMO_DIR, 'demo-logs') }, `baton demo: ${count} nodes on ${store} (cluster ${cluster}); logs in ${DEMO_DIR}/demo-logs; Ctrl-C to stop`);
      printTiming(printer, killEveryMs, faultEveryMs);
      printer.say({ event: 'features', buckets: DEMO_BUCKETS, resource: LEAD_CONTROLLER_RESOURCE, partitions: DEMO_PARTITIONS, replicas: DEMO_REPLICAS, tables: DEMO_TABLES },
        `each node runs ${DEMO_BUCKETS} buckets (a fenced write per owned bucket every second) and ${LEAD_CONTROLLER_RESOURCE} (${DEMO_PARTITIONS} partitions, ${DEMO_REPLICAS} replicas) with ${DEMO_TABLES.length} tables`);
      for (let i = 0; i < count; i += 1) nodes.add();

      let leader: LeaderSeen | null = null;
      const faults = new Faults({ cluster: nodes, printer, handovers, clock, ttlMs: DEMO_TIMING.ttlMs, leader: () => leader, signal: stop.signal });
      const killer = new LeaderKiller((l) => faults.killLeader(l));
      restoreKeys = listenToKeys(process.stdin, (fault) => faults.run(fault), () => stop.abort());
      if (restoreKeys) printer.say({ event: 'keys' }, KEYS_HELP);
      const tables = new TableWatch(printer, LEAD_CONTROLLER_RESOURCE);
      let readingTables = false;
      const nodeUrls = (): string[] => {
        const running = nodes.nodes.filter((n) => n.running && !n.frozen).map((n) => n.spec.nodeId);
        return [leader?.nodeId, ...running].filter((id) => id !== undefined && running.includes(id)).map((id) => urls.get(id as string)).filter((u) => u !== undefined);
      };
      const loops = [
        watchCluster(backend, clock, VIEW_POLL_MS, (events, view) => {
          for (const e of events) {
            if (e.type === 'joined') printer.say({ event: 'joined', nodeId: e.nodeId, info: e.info }, `${e.nodeId} joined (${String(e.info.host ?? '')} ${portsText(e.info.ports)})`);
            else if (e.type === 'left') printer.say({ event: 'left', nodeId: e.nodeId }, `${e.nodeId} left`);
            else {
              leader = e.nodeId !== null && e.term !== null ? { nodeId: e.nodeId, term: e.term } : null;
              printer.say({ event: 'leader', nodeId: e.nodeId, term: e.term }, e.nodeId ? `leader is now ${e.nodeId} (term ${e.term})` : 'no leader');
              handovers.leaderChanged(leader);
              killer.leaderChanged(leader);
            }
          }
          const members = view.members.map((m) => (m.leader ? `${m.nodeId}*` : m.nodeId)).join(' ');
          printer.say({ event: 'view', leader: view.leader?.nodeId ?? null, term: view.leader?.term ?? null, members: view.members.map((m) => m.nodeId) },
            `view: leader ${view.leader?.nodeId ?? '-'} term ${view.leader?.term ?? '-'} | members ${members || '-'}`);
        }, (error) => printer.say({ event: 'error', message: String(error) }, `store read failed: ${String(error)}`), stop.signal),
        tickEvery(clock, VIEW_POLL_MS, stop.signal, () => handovers.flush()),
        tickEvery(clock, WORK_SUMMARY_MS, stop.signal, () => handovers.workSummary()),
        tickEvery(clock, TABLES_POLL_MS, stop.signal, () => {
          if (readingTables) return;
          readingTables = true;
          void tables.poll(nodeUrls(), stop.signal).finally(() => (readingTables = false));
        }),
      ];
      if (killEveryMs !== null) {
        loops.push(tickEvery(clock, killEveryMs, stop.signal, (tick) => {
          if (!killer.tick()) printer.say({ event: 'kill-waiting', tick }, 'no running leader at this tick (a failover is under way): the next leader is killed once elected');
        }));
      }
      if (faultEveryMs !== null) loops.push(tickEvery(clock, faultEveryMs, stop.signal, (tick) => faults.run(FAULTS[(tick - 1) % FAULTS.length] ?? 'kill')));
      await whenAborted(stop.signal);
      printer.say({ event: 'stopping' }, 'stopping all nodes (SIGTERM) ...');
      await Promise.all(loops);
      await nodes.stopAll();
      printer.say({ event: 'stopped' }, 'all nodes stopped');
      return exitCode;
    } finally {
      restoreKeys?.();
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
      await nodes.stopAll();
      unwatchOutput();
      await backend?.close();
      lock?.release();
      process.off('exit', onExit);
    }
  },
};

function nodeSettings(store: string, cluster: string): Omit<DemoNodeSettings, 'nodeId' | 'port'> {
  return { store, cluster, timing: DEMO_TIMING, bucketCount: DEMO_BUCKETS, offlineGraceMs: DEMO_GRACE_MS, resource: LEAD_CONTROLLER_RESOURCE, partitions: DEMO_PARTITIONS, replicas: DEMO_REPLICAS };
}

/** The timing in use, beside the production defaults (the demo's is shorter, to be watched). */
function printTiming(printer: DemoPrinter, killEveryMs: number | null, faultEveryMs: number | null): void {
  const t = DEMO_TIMING;
  const d = DEFAULT_TIMING;
  printer.say({ event: 'timing', demo: t, production: d, offlineGraceMs: DEMO_GRACE_MS, killLeaderEveryMs: killEveryMs, faultEveryMs },
    `timing: ttl ${seconds(t.ttlMs)}, renew deadline ${seconds(t.renewDeadlineMs)}, retry ${seconds(t.retryPeriodMs)}, poll ${t.pollIntervalMs} ms, offline grace ${seconds(DEMO_GRACE_MS)} `
    + `(shortened for the demo: a killed leader is replaced within about ${seconds(t.ttlMs)}; the production defaults are ttl ${seconds(d.ttlMs)}, renew deadline ${seconds(d.renewDeadlineMs)}, retry ${seconds(d.retryPeriodMs)}, so failover there takes up to ${seconds(d.ttlMs)}; a graceful stop hands over at once either way)`);
  if (killEveryMs !== null && killEveryMs < t.ttlMs) {
    printer.say({ event: 'note', message: 'kill interval below the TTL' },
      `note: --kill-leader-every ${seconds(killEveryMs)} is shorter than the ${seconds(t.ttlMs)} TTL: a killed leader's lease lasts until it expires, so some ticks find no leader yet and kill the next one once it is elected`);
  }
}

/** A demo on a shared (non-SQLite) store must not start over a cluster that has live members. */
async function refuseLiveCluster(config: ReturnType<typeof loadConfig>['config'], store: string): Promise<void> {
  const backend = await openForReading(config, { create: true });
  try {
    const members = await backend.members();
    if (members.length > 0) {
      throw new StateError(`cluster "${config.cluster}" on ${store} has live members (${members.map((m) => m.nodeId).join(', ')}): another demo or cluster is running there; stop it or pick another --cluster`);
    }
  } finally {
    await backend.close();
  }
}

function durationFlag(value: unknown, flag: string): number | null {
  return typeof value === 'string' ? parseDuration(flag, value) : null;
}

function integerFlag(value: unknown, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}
