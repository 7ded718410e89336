/**
 * The parent side of `npm run bench -- scale`: forks node processes (bench/scale-worker.ts), keeps
 * who owns which bucket from their deltas, and waits for "every bucket owned exactly once".
 * Times are CLOCK_MONOTONIC (process.hrtime.bigint()), read by the workers at the change itself,
 * so the IPC delay is not counted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { DEFAULT_PARTITIONS } from '../src/partitions/key-partition.js';
import type { WorkerMessage, WorkerSetup } from './scale-worker.js';

type Stats = Extract<WorkerMessage, { type: 'stats' }>;

export interface ClusterSetup extends Omit<WorkerSetup, 'nodeIds'> {
  readonly nodes: number;
  readonly processes: number;
}

/** How long a node process may take to answer 'stats' (it answers at once unless its event loop is stuck). */
const STATS_TIMEOUT_MS = 30_000;
const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scale-worker.js');
/** Extra node options for the node processes, e.g. SCALE_WORKER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them. */
const WORKER_ARGS = (process.env['SCALE_WORKER_ARGS'] ?? '').split(' ').filter((a) => a !== '');

export class ScaleCluster {
  readonly setup: ClusterSetup;
  /** nodeId -> the buckets it holds now. */
  readonly owned = new Map<string, Set<string>>();
  /** bucket -> how many nodes hold it now. */
  readonly #holders = new Map<string, number>();
  readonly #partitions = new Map<string, number>();
  readonly #children: { child: ChildProcess; nodeIds: string[] }[] = [];
  readonly #waiters = new Set<(m: WorkerMessage, from: ChildProcess) => void>();
  /** Buckets held by exactly one node; the placement is complete when it equals the count. */
  #once = 0;
  /** Acquisitions seen so far (every one is a move of a bucket to a node). */
  acquisitions = 0;
  lastChange = 0n;
  /** When the first bucket was acquired, and when the last node's start() resolved (0n: not yet). */
  firstAcquired = 0n;
  lastStarted = 0n;
  started = 0;
  /** Each process's CPU (µs) when its last node had started. */
  readonly #cpuAtStart = new Map<ChildProcess, number>();

  constructor(setup: ClusterSetup) {
    this.setup = setup;
  }

  /** Forks the processes and waits until each has loaded its modules (not yet started). */
  async spawn(): Promise<void> {
    const ids = Array.from({ length: this.setup.nodes }, (_, i) => `n${String(i + 1).padStart(2, '0')}`);
    for (let p = 0; p < this.setup.processes; p++) {
      const nodeIds = ids.filter((_, i) => i % this.setup.processes === p);
      const workerSetup: WorkerSetup = { ...this.setup, nodeIds };
      const child = fork(WORKER, [JSON.stringify(workerSetup)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: ['--expose-gc', ...WORKER_ARGS] });
      child.on('message', (m: WorkerMessage) => this.#receive(m, child));
      this.#children.push({ child, nodeIds });
      for (const id of nodeIds) this.owned.set(id, new Set());
    }
    await Promise.all(this.#children.map(({ child }) => this.#next(child, (m) => m.type === 'loaded', 60_000)));
  }

  /** Starts every node at once; returns the start time. */
  start(): bigint {
    const t = process.hrtime.bigint();
    for (const { child } of this.#children) child.send('start');
    return t;
  }

  /** Whether every bucket is held by exactly one node and every partition has its master. */
  get complete(): boolean {
    const partitions = [...this.#partitions.values()].reduce((a, b) => a + b, 0);
    return this.#once === this.setup.buckets && this.#holders.size === this.setup.buckets && partitions >= DEFAULT_PARTITIONS;
  }

  /** Complete, and every node holds its fair share (loads within 1 of each other). */
  get balanced(): boolean {
    const loads = [...this.owned.values()].map((set) => set.size);
    return this.complete && Math.max(...loads) - Math.min(...loads) <= 1;
  }

  /** Waits until `condition` holds after a delta; resolves with that delta's time, or null on time-out. */
  async until(condition: () => boolean, timeoutMs: number): Promise<bigint | null> {
    if (condition()) return this.lastChange;
    try {
      await this.#next(null, () => condition(), timeoutMs);
      return this.lastChange;
    } catch {
      return null;
    }
  }

  /**
   * Every process's CPU, memory and counters now; throws when one does not answer within
   * STATS_TIMEOUT_MS (its event loop is stuck: the run is then reported as failed).
   */
  async stats(afterGc = false): Promise<Stats[]> {
    const replies = await Promise.allSettled(
      this.#children.map(async ({ child }) => {
        const reply = this.#next(child, (m) => m.type === 'stats', STATS_TIMEOUT_MS);
        if (child.connected) child.send(afterGc ? 'stats-after-gc' : 'stats');
        return (await reply) as Stats;
      }),
    );
    const failed = replies.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw new Error(`a node process did not report its statistics: ${String(failed.reason)}`);
    return replies.map((r) => (r as PromiseFulfilledResult<Stats>).value);
  }

  /** CPU seconds all node processes spent since their nodes started (their start-up left out). */
  async cpuSecondsSinceStarted(): Promise<number> {
    const stats = await this.stats();
    return stats.reduce((sum, s, i) => sum + (s.cpuUs - (this.#cpuAtStart.get(this.#children[i]!.child) ?? s.cpuUs)), 0) / 1e6;
  }

  /** Closes `nodeId` gracefully; resolves with the time the close began. */
  leave(nodeId: string): bigint {
    const entry = this.#children.find((c) => c.nodeIds.includes(nodeId));
    const t = process.hrtime.bigint();
    entry?.child.send({ leave: nodeId });
    return t;
  }

  /** Ends every process (gracefully, then SIGKILL after 20 s). */
  async close(): Promise<void> {
    await Promise.all(
      this.#children.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.connected) child.send('exit');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  #receive(m: WorkerMessage, from: ChildProcess): void {
    if (m.type === 'started') {
      this.started++;
      this.#cpuAtStart.set(from, Math.max(m.cpuUs, this.#cpuAtStart.get(from) ?? 0));
      if (BigInt(m.t) > this.lastStarted) this.lastStarted = BigInt(m.t);
    }
    if (m.type === 'delta') {
      if (m.changes.some((c) => c.startsWith('+')) && (this.firstAcquired === 0n || BigInt(m.firstT) < this.firstAcquired)) this.firstAcquired = BigInt(m.firstT);
      const mine = this.owned.get(m.nodeId)!;
      for (const change of m.changes) {
        const bucket = change.slice(1);
        const acquired = change.startsWith('+');
        this.#count(bucket, acquired ? 1 : -1);
        if (acquired) {
          mine.add(bucket);
          this.acquisitions++;
        } else mine.delete(bucket);
      }
      this.#partitions.set(m.nodeId, m.partitions);
      if (BigInt(m.t) > this.lastChange) this.lastChange = BigInt(m.t);
    }
    if (m.type === 'failed') console.error(`  a node process reported: ${m.message}`);
    for (const waiter of [...this.#waiters]) waiter(m, from);
  }

  #count(bucket: string, by: number): void {
    const before = this.#holders.get(bucket) ?? 0;
    const after = before + by;
    if (before === 1) this.#once--;
    if (after === 1) this.#once++;
    if (after === 0) this.#holders.delete(bucket);
    else this.#holders.set(bucket, after);
  }

  #next(from: ChildProcess | null, match: (m: WorkerMessage) => boolean, timeoutMs: number): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        from?.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const onExit = () => {
        done();
        reject(new Error('a node process exited'));
      };
      const waiter = (m: WorkerMessage, source: ChildProcess) => {
        if ((from !== null && source !== from) || !match(m)) return;
        done();
        resolve(m);
      };
      this.#waiters.add(waiter);
      from?.once('exit', onExit);
    });
  }
}

/** Milliseconds between two CLOCK_MONOTONIC readings. */
export function msBetween(from: bigint, to: bigint): number {
  return Number((to - from) / 1000n) / 1000;
}
