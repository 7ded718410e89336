/**
 * One run: a fresh cluster of `nodes` processes on a store, faults injected one at a time for
 * `durationMs`, then quiescence, then a graceful stop. Everything it sees goes to the run's
 * directory (history.ts); judging it is the checker's job.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { openStore } from '../src/index.js';
import { onCleanup } from './cleanup.js';
import { Cluster, keysOfRun } from './cluster/cluster.js';
import { startRegister } from './cluster/register-process.js';
import type { Fault, FaultContext } from './faults/fault.js';
import { recordController, writeRunInfo } from './history.js';
import type { Namespaces } from './net/namespaces.js';
import type { ChaosStore } from './stores/chaos-store.js';
import { BOUNDS } from './timing.js';

/** How long a cluster may take to hold every key once (start-up, or after a fault), ms. */
const SETTLE_TIMEOUT_MS = 60_000;
/** Pause between fault episodes, ms: a random value between these. */
const PAUSE_MIN_MS = 1_000;
const PAUSE_MAX_MS = 3_000;

export interface CellOptions {
  readonly outDir: string;
  readonly store: ChaosStore;
  readonly namespaces: Namespaces | null;
  readonly fault: Fault;
  readonly nodes: number;
  readonly durationMs: number;
  readonly seed: number;
  readonly random: () => number;
  readonly signal: AbortSignal;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

let cellCount = 0;

/** Runs one cell; returns its directory. */
export async function runCell(options: CellOptions): Promise<string> {
  const { store, fault, log } = options;
  const n = ++cellCount;
  const dir = path.join(options.outDir, `${String(n).padStart(3, '0')}-${store.backend}-${fault.name}`);
  mkdirSync(dir, { recursive: true });
  const clusterName = `chaos${process.pid}x${n}`;
  const keys = keysOfRun();
  writeRunInfo(dir, {
    backend: store.backend,
    fault: fault.name,
    seed: options.seed,
    nodes: options.nodes,
    keys,
    bounds: BOUNDS,
    ...(fault.breaksBound?.(store) ? { expectViolations: true } : {}),
  });
  // The schema first, so that the nodes do not all migrate at once.
  await (await openStore(store.adminUrl, { cluster: clusterName })).close();
  const register = await startRegister(dir);
  const stopRegister = onCleanup(`register of ${dir}`, () => register.stop());
  const cluster = new Cluster(dir, clusterName, store, options.namespaces, register);
  const killNodes = onCleanup(`nodes of ${clusterName}`, () => cluster.killAll());
  const settle = async (what: string) => {
    const deadline = performance.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const { orphaned, shared } = await cluster.ownership(keys);
      if (orphaned.length === 0 && shared.length === 0) return true;
      if (performance.now() > deadline) {
        log(`  ${what}: not settled after ${SETTLE_TIMEOUT_MS / 1000} s (orphaned ${orphaned.join(' ') || '-'}; shared ${shared.join(' ') || '-'})`);
        return false;
      }
      await delay(100, undefined, { signal: options.signal });
    }
  };
  try {
    for (let i = 1; i <= options.nodes; i++) cluster.start(`n${i}`);
    await settle('start-up');
    recordController(dir, { ev: 'settled' });
    const context: FaultContext = { cluster, store, dir, random: options.random, signal: options.signal };
    const end = performance.now() + options.durationMs;
    let episodes = 0;
    while (performance.now() < end) {
      await delay(PAUSE_MIN_MS + options.random() * (PAUSE_MAX_MS - PAUSE_MIN_MS), undefined, { signal: options.signal });
      await fault.run(context);
      episodes++;
      await settle(`after episode ${episodes}`);
    }
    await settle('quiescence');
    recordController(dir, { ev: 'quiescent' });
    log(`  ${store.backend} ${fault.name}: ${episodes} episodes`);
    await cluster.leaveAll();
    recordController(dir, { ev: 'end' });
  } finally {
    await killNodes();
    await stopRegister();
  }
  return dir;
}
