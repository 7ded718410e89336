/**
 * `npm run bench -- is-leader`: how many `elector.isLeader()` calls a leading node answers per
 * second. Every answer is judged on the monotonic clock when asked (`Leadership.held()`, issue
 * 10 case 4), so this measures the cost of that check on each backend; the target is above
 * 5 M calls/s. One process, one leading elector per store, a tight loop of calls.
 */
import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_TIMING, type Backend } from '../src/contract/index.js';
import { MemoryStore } from '../src/backends/memory/index.js';
import { openStore } from '../src/backends/open-store.js';
import { LeaderElector } from '../src/election/index.js';
import { onEachSqlStore } from './election-stores.js';
import { quantile, table, writeSection } from './report.js';

/**
 * Calls per timed run: long enough (hundreds of ms at the target rate) to dwarf the timer's
 * resolution, short enough that the renewals, which run between runs, keep the term well
 * inside renewDeadlineMs (10 s by default) even on a loaded machine.
 */
const CALLS_PER_RUN = 2_000_000;
/** Timed runs per store; the first warms up the JIT and is not counted. */
const RUNS = 11;
/** Pause between runs so timers and I/O (the renewals) run: the loop blocks the event loop. */
const BETWEEN_RUNS_MS = 50;
const TARGET_PER_SECOND = 5_000_000;

/** Calls per second in each counted run: per second of wall time and per second of this process's CPU time. */
interface Rates {
  readonly wall: number[];
  readonly cpu: number[];
}

/**
 * Times `isLeader` runs. Wall time (the monotonic clock) is what a caller sees; CPU time
 * (user + system of this process) is the cost of the call itself, which a loaded machine does
 * not inflate (it only makes the process wait for a core).
 */
async function measure(elector: LeaderElector): Promise<Rates> {
  const rates: Rates = { wall: [], cpu: [] };
  for (let run = 0; run < RUNS; run++) {
    let leading = 0;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < CALLS_PER_RUN; i++) if (elector.isLeader()) leading++;
    const elapsedMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    if (leading !== CALLS_PER_RUN) throw new Error(`the elector stopped leading during run ${run} (${leading} of ${CALLS_PER_RUN} calls answered true; the run took ${elapsedMs.toFixed(0)} ms)`);
    if (run > 0) {
      rates.wall.push((CALLS_PER_RUN / elapsedMs) * 1000);
      rates.cpu.push((CALLS_PER_RUN / (cpu.user + cpu.system)) * 1e6);
    }
    await delay(BETWEEN_RUNS_MS);
  }
  return rates;
}

/** Opens a session on `backend`, leads, measures, closes. */
async function onBackend(backend: Backend): Promise<Rates> {
  const elector = new LeaderElector({ backend, nodeId: 'bench', info: {}, timing: DEFAULT_TIMING });
  try {
    elector.start();
    await elector.whenLeader({ signal: AbortSignal.timeout(DEFAULT_TIMING.ttlMs) });
    return await measure(elector);
  } finally {
    await elector.close();
    await backend.close();
  }
}

const millions = (perSecond: number) => `${(perSecond / 1e6).toFixed(1)} M/s`;

function row(name: string, rates: Rates): string[] {
  const cpu = quantile(rates.cpu, 0.5);
  return [name, millions(cpu), millions(quantile(rates.wall, 0.5)), millions(Math.min(...rates.wall)), `${cpu > TARGET_PER_SECOND ? '✓' : '✗'} (> ${millions(TARGET_PER_SECOND)})`];
}

export async function run(): Promise<void> {
  const loadBefore = os.loadavg()[0] ?? 0;
  const memory = row('memory', await onBackend(new MemoryStore().backend('bench')));
  const { results, skipped } = await onEachSqlStore('isLeader', async (store) => row(store.name, await onBackend(await openStore(store.url, { cluster: 'bench' }))));
  const rows = [memory, ...results];
  for (const cells of rows) console.log(`  ${cells.join('  ')}`);
  const loadAfter = os.loadavg()[0] ?? 0;
  const body = [
    '## isLeader() hot path',
    '',
    `\`elector.isLeader()\` on a leading node: ${RUNS - 1} timed runs of ${CALLS_PER_RUN / 1e6} M calls after one warm-up run, one process, timed on its monotonic clock. ` +
      'Each answer checks the term\'s local deadline on the monotonic clock when asked (`Leadership.held()`), so a process resumed after a freeze never answers from a stale flag.',
    '',
    table(['store', 'median per CPU second', 'median per wall second', 'slowest run (wall)', 'target (per CPU second)'], rows),
    '',
    `Machine load (1-minute load average) at the start and end: ${loadBefore.toFixed(1)} and ${loadAfter.toFixed(1)} on ${os.cpus().length} cores; wall-time rates fall with load (the loop waits for a core), CPU-time rates do not.`,
    ...(skipped.length > 0 ? ['', `Skipped: ${skipped.join('; ')}.`] : []),
  ].join('\n');
  writeSection('is-leader', body);
}
