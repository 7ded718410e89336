/**
 * Node processes (partition-worker.ts) on one SQLite file for the partition failover tests, and
 * readers of their event logs: who leads what now, when a partition was taken over, and every
 * leadership interval (CLOCK_MONOTONIC ns, comparable across processes on one machine).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PartitionEvent } from './partition-worker.js';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'partition-worker.js');
export const RESOURCE = 'leadControllerResource';
/** Short session timing on real clocks so a killed node's session expires within seconds (ms). */
export const TIMING = { ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 100 };
/**
 * One session-loss detection: the store expires the member and its leases `ttlMs` after the last
 * renewal (at most one renewal period before the kill), then a poll notices it; plus 1.5 s for a
 * loaded 2-core machine.
 */
export const DETECTION_MS = TIMING.ttlMs + TIMING.retryPeriodMs + 2 * TIMING.pollIntervalMs + 1_500;
export const NS_PER_MS = 1_000_000n;

export interface Worker {
  readonly nodeId: string;
  readonly log: string;
  readonly child: ChildProcess;
  exitedAt: bigint | null;
  readonly exited: Promise<void>;
}

export interface Interval {
  readonly node: string;
  readonly start: bigint;
  readonly end: bigint;
}

export class WorkerPool {
  readonly workers: Worker[] = [];
  readonly #url: string;
  readonly #cluster: string;
  readonly #dir: string;
  readonly #resource: Record<string, unknown>;

  constructor(storeUrl: string, cluster: string, dir: string, resource: Record<string, unknown>) {
    this.#url = storeUrl;
    this.#cluster = cluster;
    this.#dir = dir;
    this.#resource = resource;
  }

  spawn(nodeId: string): Worker {
    const log = path.join(this.#dir, `${nodeId}-${this.workers.length}.log`);
    const values = { store: this.#url, cluster: this.#cluster, nodeId, http: { port: 0 }, log: { level: 'silent' }, election: TIMING, partitions: { [RESOURCE]: this.#resource } };
    const child = spawn(process.execPath, [WORKER, log, JSON.stringify(values)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const worker: Worker = {
      nodeId,
      log,
      child,
      exitedAt: null,
      exited: new Promise((resolve) => child.once('exit', (code, signal) => {
        worker.exitedAt = process.hrtime.bigint();
        if (code !== 0 && signal !== 'SIGKILL') process.stderr.write(`worker ${nodeId} exited ${code ?? signal}: ${stderr}\n`);
        resolve();
      })),
    };
    this.workers.push(worker);
    return worker;
  }

  alive(): Worker[] {
    return this.workers.filter((w) => w.exitedAt === null && !w.child.killed);
  }

  /** The live worker process of `nodeId`. */
  live(nodeId: string): Worker {
    return this.alive().find((w) => w.nodeId === nodeId)!;
  }

  /** partition -> node ids leading it now, from the live workers' logs. */
  holders(): Map<number, string[]> {
    const result = new Map<number, string[]>();
    for (const w of this.alive()) {
      const led = new Set<number>();
      for (const e of events(w)) {
        if (e.e === 'start') led.add(e.partition!);
        if (e.e === 'stop') led.delete(e.partition!);
      }
      for (const p of led) result.set(p, [...(result.get(p) ?? []), w.nodeId]);
    }
    return result;
  }

  allLedOnce(partitions = 24): boolean {
    const h = this.holders();
    return h.size === partitions && [...h.values()].every((ids) => ids.length === 1);
  }

  /** CLOCK_MONOTONIC ns of the first `start` of `partition` by a node other than `nodeId` after `since`. */
  takenOverAt(partition: number, nodeId: string, since: bigint): bigint | null {
    const starts = this.workers.filter((w) => w.nodeId !== nodeId).flatMap(events).filter((e) => e.e === 'start' && e.partition === partition && BigInt(e.t) > since);
    return starts.length === 0 ? null : starts.map((e) => BigInt(e.t)).reduce((a, b) => (a < b ? a : b));
  }

  /** Every leadership interval per partition, sorted by start; open ones end at the process's exit. */
  intervals(): Map<number, Interval[]> {
    const result = new Map<number, Interval[]>();
    for (const w of this.workers) {
      const open = new Map<number, bigint>();
      const close = (p: number, end: bigint) => {
        const list = result.get(p) ?? result.set(p, []).get(p)!;
        list.push({ node: w.nodeId, start: open.get(p)!, end });
        open.delete(p);
      };
      for (const e of events(w)) {
        if (e.e === 'start') open.set(e.partition!, BigInt(e.t));
        if (e.e === 'stop' && open.has(e.partition!)) close(e.partition!, BigInt(e.t));
      }
      for (const p of [...open.keys()]) close(p, w.exitedAt ?? process.hrtime.bigint());
    }
    for (const list of result.values()) list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    return result;
  }

  /** SIGKILLs what is still running and waits for every process to exit. */
  async killAll(): Promise<void> {
    for (const w of this.workers) if (w.exitedAt === null) w.child.kill('SIGKILL');
    await Promise.all(this.workers.map((w) => w.exited));
  }
}

export function events(w: Worker): PartitionEvent[] {
  return existsSync(w.log) ? readFileSync(w.log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as PartitionEvent) : [];
}
