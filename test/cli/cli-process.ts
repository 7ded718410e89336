/**
 * Runs the compiled `baton` CLI as real child processes for end-to-end tests, and keeps track
 * of them so `stopAllProcesses()` (in `after`) kills whatever is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait.js';

/** dist/src/cli/main.js, next to the compiled test. */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

const running = new Set<CliProcess>();

export class CliProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}, options: { cwd?: string } = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], { env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let partial = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** JSON log lines printed so far. */
  logs(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Waits for a stdout line; fails at once (with stderr) if the process exits first. */
  async waitForLine(what: string, test: (line: string) => boolean, timeoutMs = 20_000): Promise<string> {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void this.exited.then((e) => (exit = e));
    return waitFor(what, () => {
      const line = this.lines.find(test);
      if (line === undefined && exit) return { failed: `process exited (${exit.signal ?? `code ${exit.code}`}) before ${what}: ${this.stderr.trim()}` };
      return line;
    }, { timeoutMs, intervalMs: 50 }).then((result) => {
      if (typeof result !== 'string') throw new Error(result.failed);
      return result;
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** The environment without BATON_* variables of the test runner. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_')));
}

/**
 * How long a CLI command may run before it is killed (a guard against a hang, not a speed
 * target): it starts node, loads the CLI and opens the store, which took over 20 s for
 * `baton maintenance off` on PostgreSQL at load 20-30 (the same as a node's start line, see
 * NODE_START_TIMEOUT_MS in test/support/baton-processes.ts).
 */
const CLI_COMMAND_TIMEOUT_MS = 60_000;

/** Runs a CLI command to completion; killed after `timeoutMs`. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = CLI_COMMAND_TIMEOUT_MS): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = new CliProcess(args, env);
  const timer = setTimeout(() => proc.signal('SIGKILL'), timeoutMs);
  const { code } = await proc.exited;
  clearTimeout(timer);
  return { code, stdout: proc.lines.join('\n'), stderr: proc.stderr };
}

/** Kills every CLI process still running and waits for them. */
export async function stopAllProcesses(): Promise<void> {
  const all = [...running];
  for (const p of all) p.signal('SIGKILL');
  await Promise.all(all.map((p) => p.exited));
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether a process with this pid still exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
