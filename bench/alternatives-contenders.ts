/**
 * The contender processes of one row of `npm run bench -- alternatives` (and of the handoff
 * A/B): forks of alternatives-worker.js driven over IPC, each optionally behind a TCP proxy of
 * its own, and the reports they send, stamped on arrival with THIS process's monotonic clock.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { TcpProxy } from '../test/support/tcp-proxy.js';
import { killChild } from '../test/support/child-process.js';
import type { AlternativesStore } from './alternatives-stores.js';

const WORKER = fileURLToPath(new URL('./alternatives-worker.js', import.meta.url));

/**
 * Longest wait for a report that must come (a worker ready, a leader after a graceful
 * step-down) on an idle machine, ms: a forked worker loads its library and connects in well
 * under a second there. See reportTimeoutMs for a busy one.
 */
const REPORT_TIMEOUT_MS = 30_000;

/** How much of each contender's stderr is kept (its last bytes), for a stall's diagnosis. */
const STDERR_TAIL_BYTES = 64 * 1024;

/**
 * REPORT_TIMEOUT_MS stretched by the machine's load: with L runnable processes per core, each
 * gets about 1/L of a core, so a worker's start (forking node, loading the library, connecting)
 * takes up to L times longer. Read at each wait, so a row started on a quiet machine does not
 * fail when the load rises during it. A wait this long ends only when something is broken.
 */
export function reportTimeoutMs(): number {
  const perCore = (os.loadavg()[0] ?? 0) / os.cpus().length;
  return Math.round(REPORT_TIMEOUT_MS * Math.max(1, perCore));
}

/** How a contender is started: which file of bench/contenders/, reaching which store, how. */
export interface ContenderPlan {
  readonly contender: string;
  readonly addressStyle: 'url' | 'host-port';
  readonly election: string;
  /** Lease or session length given to the contender (undefined: its library's default). */
  readonly ttlMs: number | undefined;
  /** The worker script to fork (default: this build's alternatives-worker.js; the handoff A/B runs another build's). */
  readonly worker?: string;
}

/** One message of a contender (see alternatives-worker.ts), stamped on arrival. */
export interface Report {
  readonly id: string;
  readonly event: string;
  /** performance.now() of this process when the report arrived. */
  readonly at: number;
  readonly outcome?: string;
  /** Why a campaign or resign failed ('failed'). */
  readonly message?: string;
  readonly cpuMs?: number;
  readonly rssBytes?: number;
}

export class Contenders {
  readonly #plan: ContenderPlan;
  readonly #store: AlternativesStore;
  readonly reports: Report[] = [];
  readonly #wakers = new Set<() => void>();
  readonly children = new Map<string, ChildProcess>();
  readonly proxies = new Map<string, TcpProxy>();
  /** The last STDERR_TAIL_BYTES of each contender's stderr (kept after it exits). */
  readonly #stderr = new Map<string, string>();
  #count = 0;
  /**
   * The contender that last reported leading. Kept from every report, not only from the ones a
   * trial waits for: a leader that loses its session between trials is followed by another
   * (each contender campaigns again on a new session), and a handoff must ask that one to resign.
   * Kept only where a trial waited, a stale leader was asked to resign, nobody else ever led
   * again, and the trial waited out the report timeout (the 217 s "stall" seen once).
   */
  #leader = '';
  /**
   * Whether new contenders reach the store through a proxy of their own. Off for the speed
   * trials: under load each pass through the proxy waits for this process, which would cost a
   * handoff of several statements more than one of a single statement.
   */
  proxied = false;

  constructor(plan: ContenderPlan, store: AlternativesStore) {
    this.#plan = plan;
    this.#store = store;
  }

  get mark(): number {
    return this.reports.length;
  }

  /** Starts a contender (campaigning at once if `auto`) and waits until it is connected. */
  async spawn(auto: boolean): Promise<string> {
    const id = `w${this.#count++}`;
    const endpoint = this.#store.endpoint;
    const proxy = endpoint === undefined || !this.proxied ? undefined : await TcpProxy.start(endpoint.host, endpoint.port);
    if (proxy) this.proxies.set(id, proxy);
    const options = { address: this.#store.address(proxy?.port, this.#plan.addressStyle), id, election: this.#plan.election, ttlMs: this.#plan.ttlMs };
    const mark = this.mark;
    const child = fork(this.#plan.worker ?? WORKER, [this.#plan.contender, JSON.stringify(options), ...(auto ? ['auto'] : [])], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    // A library's complaints while its store is cut are not the benchmark's output, but a
    // stall's diagnosis needs them: keep the tail (stderrTails).
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.#stderr.set(id, ((this.#stderr.get(id) ?? '') + chunk).slice(-STDERR_TAIL_BYTES)));
    child.on('message', (m: Omit<Report, 'id' | 'at'>) => this.#push({ ...m, id, at: performance.now() }));
    child.on('exit', () => {
      this.children.delete(id);
      this.#push({ id, event: 'exit', at: performance.now() });
    });
    this.children.set(id, child);
    const started = await this.next(mark, (r) => r.id === id && (r.event === 'ready' || r.event === 'exit'), `${id} to start and connect`);
    if (started.event === 'exit') throw new Error(`${this.#plan.contender}: ${id} exited before it was ready (a missing library or store?)`);
    return id;
  }

  /** Each contender's stderr tail so far, by id (only those that wrote any). */
  stderrTails(): ReadonlyMap<string, string> {
    return this.#stderr;
  }

  send(id: string, command: string): void {
    this.children.get(id)?.send(command);
  }

  /** The first report at or after `mark` that matches; undefined after `timeoutMs`. */
  async find(mark: number, match: (r: Report) => boolean, timeoutMs: number): Promise<Report | undefined> {
    const giveUpAt = performance.now() + timeoutMs;
    for (;;) {
      const found = this.reports.slice(mark).find(match);
      if (found) return found;
      const left = giveUpAt - performance.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#wakers.add(wake);
      });
    }
  }

  /** Like find, but the report must come within reportTimeoutMs (plus `extraMs`); `what` names it in the error. */
  async next(mark: number, match: (r: Report) => boolean, what: string, extraMs = 0): Promise<Report> {
    const timeoutMs = reportTimeoutMs() + extraMs;
    const found = await this.find(mark, match, timeoutMs);
    if (found === undefined) throw new Error(`${this.#plan.contender}: waited ${timeoutMs} ms for ${what} (1-min load ${(os.loadavg()[0] ?? 0).toFixed(1)})`);
    return found;
  }

  /** Waits for the next leader other than `previous`; undefined after `timeoutMs` (a fault's window). */
  async nextLeader(mark: number, previous: string, timeoutMs: number): Promise<Report | undefined> {
    return this.find(mark, (r) => r.event === 'leading' && r.id !== previous, timeoutMs);
  }

  /** Like nextLeader, but a leader must come within reportTimeoutMs (plus `extraMs`). */
  async nextLeaderMust(mark: number, previous: string, what: string, extraMs = 0): Promise<Report> {
    return this.next(mark, (r) => r.event === 'leading' && r.id !== previous, what, extraMs);
  }

  /** Kills a contender (continuing it first if frozen) and closes its proxy. */
  async remove(id: string): Promise<void> {
    await killChild(this.children.get(id));
    await this.proxies.get(id)?.close();
    this.proxies.delete(id);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...new Set([...this.children.keys(), ...this.proxies.keys()])].map((id) => this.remove(id)));
  }

  get leader(): string {
    return this.#leader;
  }

  #push(report: Report): void {
    if (report.event === 'leading') this.#leader = report.id;
    this.reports.push(report);
    for (const wake of [...this.#wakers]) wake();
  }
}
