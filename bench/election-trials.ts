/**
 * Runs election trials against one store with contender processes (election-worker.js). All
 * times are taken by THIS process on its monotonic clock (performance.now()) when it sends a
 * command or receives a worker's report over IPC, so no clocks are compared across processes;
 * each figure includes one IPC hop each way (well under a millisecond on one machine).
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { SessionTiming } from '../src/contract/index.js';

const WORKER = fileURLToPath(new URL('./election-worker.js', import.meta.url));
/** Longest wait for any one report before the benchmark gives up, ms. */
const REPORT_TIMEOUT_MS = 30_000;

export interface ElectionFigures {
  /** Workers ready -> 'campaign' sent to all three -> first 'leading' received. */
  readonly firstLeaderMs: number;
  /** 'close' sent to the leader -> next 'leading' received, per trial. */
  readonly handoffMs: number[];
  /** SIGKILL of the leader -> next 'leading' received, per trial. */
  readonly failoverMs: number[];
}

interface Report {
  readonly nodeId: string;
  readonly event: string;
  readonly at: number;
}

class Contenders {
  readonly #url: string;
  readonly #cluster: string;
  readonly #timing: SessionTiming;
  readonly #reports: Report[] = [];
  readonly #wakers = new Set<() => void>();
  readonly children = new Map<string, ChildProcess>();
  #count = 0;

  constructor(url: string, cluster: string, timing: SessionTiming) {
    this.#url = url;
    this.#cluster = cluster;
    this.#timing = timing;
  }

  get mark(): number {
    return this.#reports.length;
  }

  spawn(auto: boolean): string {
    const nodeId = `w${this.#count++}`;
    const args = [this.#url, this.#cluster, nodeId, JSON.stringify(this.#timing), ...(auto ? ['auto'] : [])];
    const child = fork(WORKER, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => {
      this.#reports.push({ nodeId, event: (m as { event: string }).event, at: performance.now() });
      for (const wake of [...this.#wakers]) wake();
    });
    child.on('exit', () => this.children.delete(nodeId));
    this.children.set(nodeId, child);
    return nodeId;
  }

  /** The first report at or after `mark` that matches. */
  async next(mark: number, match: (r: Report) => boolean): Promise<Report> {
    const giveUpAt = performance.now() + REPORT_TIMEOUT_MS;
    for (;;) {
      const found = this.#reports.slice(mark).find(match);
      if (found) return found;
      if (performance.now() > giveUpAt) throw new Error(`no worker report within ${REPORT_TIMEOUT_MS} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 1_000);
        this.#wakers.add(wake);
      });
    }
  }

  async stopAll(): Promise<void> {
    const exits = [...this.children.values()].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of this.children.values()) child.kill('SIGKILL');
    await Promise.all(exits);
  }
}

/**
 * 1. three workers open sessions; 'campaign' goes to all at once; time to the first leader;
 * 2. `graceful` times: the leader closes gracefully; time to the next leader; the closed
 *    worker then rejoins and campaigns again (three contenders every time);
 * 3. `crashes` times: after a random pause within one renew period, the leader is SIGKILLed
 *    and replaced by a new worker; time to the next leader.
 */
export async function runElectionTrials(url: string, timing: SessionTiming, graceful: number, crashes: number): Promise<ElectionFigures> {
  const contenders = new Contenders(url, `bench-${process.pid}-${Date.now().toString(36)}`, timing);
  try {
    const start = contenders.mark;
    const ids = [contenders.spawn(false), contenders.spawn(false), contenders.spawn(false)];
    for (const id of ids) await contenders.next(start, (r) => r.nodeId === id && r.event === 'ready');
    let mark = contenders.mark;
    const sentAt = performance.now();
    for (const id of ids) contenders.children.get(id)?.send('campaign');
    let leader = await contenders.next(mark, (r) => r.event === 'leading');
    const firstLeaderMs = leader.at - sentAt;

    const handoffMs: number[] = [];
    for (let i = 0; i < graceful; i++) {
      mark = contenders.mark;
      const closedAt = performance.now();
      contenders.children.get(leader.nodeId)?.send('close');
      const previous = leader.nodeId;
      leader = await contenders.next(mark, (r) => r.event === 'leading' && r.nodeId !== previous);
      handoffMs.push(leader.at - closedAt);
      await contenders.next(mark, (r) => r.nodeId === previous && r.event === 'ready'); // rejoined, idle
      contenders.children.get(previous)?.send('campaign');
      // Let its first (failing) attempt pass, so every trial meets contenders that are already
      // waiting, at a random phase of their poll period (else a fresh attempt could win early).
      await delay((2 + Math.random()) * timing.pollIntervalMs);
    }

    const failoverMs: number[] = [];
    for (let i = 0; i < crashes; i++) {
      await delay(Math.random() * timing.retryPeriodMs);
      mark = contenders.mark;
      const killedAt = performance.now();
      contenders.children.get(leader.nodeId)?.kill('SIGKILL');
      const previous = leader.nodeId;
      leader = await contenders.next(mark, (r) => r.event === 'leading' && r.nodeId !== previous);
      failoverMs.push(leader.at - killedAt);
      const replacement = contenders.spawn(true);
      await contenders.next(mark, (r) => r.nodeId === replacement && r.event === 'ready');
    }
    return { firstLeaderMs, handoffMs, failoverMs };
  } finally {
    await contenders.stopAll();
  }
}
