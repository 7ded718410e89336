/**
 * One node process of the demo (demo-node.ts), with its output appended to a log file and an IPC
 * channel to the demo: the node exits as soon as that channel closes, so no node outlives the
 * demo however the demo ends (Ctrl-C, SIGHUP, EPIPE, an exception, SIGKILL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DemoNodeMessage, DemoNodeSettings } from './demo-node-protocol.js';

/** The node's entry point next to this file (dist/src/cli/demo/demo-node.js). */
const NODE_MAIN = fileURLToPath(new URL('./demo-node.js', import.meta.url));

export interface DemoNodeSpec {
  readonly nodeId: string;
  readonly port: number;
  /** What every node shares (store, cluster, timings, buckets, partitions). */
  readonly settings: Omit<DemoNodeSettings, 'nodeId' | 'port'>;
  readonly logFile: string;
}

export type ExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

export class DemoNodeProcess {
  readonly spec: DemoNodeSpec;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #frozen = false;

  constructor(spec: DemoNodeSpec) {
    this.spec = spec;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get frozen(): boolean {
    return this.#frozen && this.running;
  }

  /**
   * Starts the process in a process group of its own, so a Ctrl-C in the terminal reaches only
   * the demo, which then stops the nodes with one SIGTERM each.
   */
  start(onMessage: (message: DemoNodeMessage) => void, onExit: ExitListener): void {
    const log = openSync(this.spec.logFile, 'a');
    try {
      const settings: DemoNodeSettings = { ...this.spec.settings, nodeId: this.spec.nodeId, port: this.spec.port };
      const child = spawn(process.execPath, [NODE_MAIN, JSON.stringify(settings)], { stdio: ['ignore', log, log, 'ipc'], detached: true });
      this.#child = child;
      this.#frozen = false;
      child.on('message', (message) => onMessage(message as DemoNodeMessage));
      // A node that exits closes the channel; nothing is sent to it, so send errors cannot happen.
      child.on('error', () => undefined);
      this.#exited = new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          onExit(code, signal);
          resolve();
        });
      });
    } finally {
      closeSync(log);
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.running) return;
    this.#child?.kill(signal);
    if (signal === 'SIGSTOP') this.#frozen = true;
    if (signal === 'SIGCONT') this.#frozen = false;
  }

  /**
   * Last resort when the demo exits: thaws a frozen node (a stopped process cannot see its
   * channel close) and kills what still runs. Synchronous, for process 'exit' handlers.
   */
  killNow(): void {
    if (!this.running) return;
    this.#child?.kill('SIGCONT');
    this.#child?.kill('SIGKILL');
  }

  /** Resolves when the current process has exited (at once when none runs). */
  async exited(): Promise<void> {
    await this.#exited;
  }
}
