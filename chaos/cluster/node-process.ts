/**
 * One chaos node process (node/chaos-node.ts), run in its network namespace when it has one and
 * under libfaketime when asked. Every signal the controller sends it, and its exit, are recorded
 * in the controller history, stamped before the signal is sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { recordController } from '../history.js';
import type { NodeNet } from '../net/namespaces.js';

const SCRIPT = fileURLToPath(new URL('../node/chaos-node.js', import.meta.url));

export interface NodeLaunch {
  readonly nodeId: string;
  readonly net: NodeNet | null;
  /** Config values for loadConfig (store url, cluster, timing, features). */
  readonly values: Record<string, unknown>;
  /** Extra environment (libfaketime). */
  readonly env?: Record<string, string>;
}

export class NodeProcess {
  readonly nodeId: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly #dir: string;
  #frozen = false;
  #exited = false;
  #stderr = '';

  constructor(dir: string, socketPath: string, launch: NodeLaunch, onExit: (node: NodeProcess) => void) {
    this.nodeId = launch.nodeId;
    this.#dir = dir;
    const command = [process.execPath, SCRIPT, socketPath, JSON.stringify(launch.values)];
    const [file, ...args] = launch.net === null ? command : ['ip', 'netns', 'exec', launch.net.namespace, ...command];
    this.child = spawn(file!, args, { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, ...launch.env } });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-4_000)));
    recordController(dir, { ev: 'spawn', node: this.nodeId, pid: this.pid, ...(launch.env ? { detail: 'faketime' } : {}) });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.#exited = true;
        recordController(dir, { ev: 'exit', node: this.nodeId, pid: this.pid, detail: signal ?? `code ${code}` });
        onExit(this);
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return !this.#exited;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  /** The last lines the process wrote on stderr (for a report). */
  get stderr(): string {
    return this.#stderr;
  }

  #signal(ev: 'kill' | 'leave' | 'freeze' | 'thaw', signal: NodeJS.Signals): void {
    if (this.#exited) return;
    recordController(this.#dir, { ev, node: this.nodeId, pid: this.pid });
    this.child.kill(signal);
  }

  kill(): Promise<void> {
    if (this.#frozen) this.thaw();
    this.#signal('kill', 'SIGKILL');
    return this.exited;
  }

  /** Graceful leave; waits for the exit (SIGKILL if it takes longer than `timeoutMs`). */
  async leave(timeoutMs = 30_000): Promise<void> {
    if (this.#frozen) this.thaw();
    this.#signal('leave', 'SIGTERM');
    const timer = setTimeout(() => void this.kill(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  freeze(): void {
    this.#signal('freeze', 'SIGSTOP');
    this.#frozen = true;
  }

  thaw(): void {
    this.#signal('thaw', 'SIGCONT');
    this.#frozen = false;
  }
}
