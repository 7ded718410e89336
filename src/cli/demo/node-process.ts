/**
 * One `baton start` child process of the demo, with its output appended to a log file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The CLI entry point next to this file's folder (dist/src/cli/main.js). */
const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export interface DemoNodeSpec {
  readonly nodeId: string;
  readonly port: number;
  /** Arguments of `baton start` shared by every node (store, cluster, timings). */
  readonly args: readonly string[];
  readonly logFile: string;
}

export class DemoNodeProcess {
  readonly spec: DemoNodeSpec;
  #child: ChildProcess | null = null;
  #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;

  constructor(spec: DemoNodeSpec) {
    this.spec = spec;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * Starts the process in a process group of its own, so a Ctrl-C in the terminal reaches only
   * the demo, which then stops the nodes with one SIGTERM each.
   */
  start(onExit: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    const log = openSync(this.spec.logFile, 'a');
    try {
      const args = [MAIN, 'start', '--node-id', this.spec.nodeId, '--http-port', String(this.spec.port), ...this.spec.args];
      const child = spawn(process.execPath, args, { stdio: ['ignore', log, log], detached: true });
      this.#child = child;
      this.#exited = new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          onExit(code, signal);
          resolve({ code, signal });
        });
      });
    } finally {
      closeSync(log);
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.#child?.kill(signal);
  }

  /** Resolves when the current process has exited (at once when none runs). */
  async exited(): Promise<void> {
    await this.#exited;
  }
}
