/**
 * A database server of the suite's own (PostgreSQL, MariaDB), never the machine's shared one: its
 * data in a temporary directory `baton-chaos-server-<pid>-<kind>-*`, its own loopback port, so
 * the `server-restart` fault can crash and start it. The servers refuse to run as root, so as
 * root they run as the package's system user. A controller killed by SIGKILL cannot stop its
 * servers; `removeStaleServers()` (at the next start) stops those of dead controllers.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { alive } from '../alive.js';

export type ServerKind = 'postgres' | 'mariadb';

export interface PrivateServer {
  readonly kind: ServerKind;
  /** Its TCP port on 127.0.0.1. */
  readonly port: number;
  /** Stops it the way a crash does (no shutdown work, every connection lost); resolves once it is gone. */
  crash(): Promise<void>;
  /** Starts it again on the same data and port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  remove(): Promise<void>;
}

const PREFIX = 'baton-chaos-server-';

/** A command's output; a failure names the command and its stderr. */
export async function runCommand(command: string, args: readonly string[]): Promise<string> {
  try {
    return (await promisify(execFile)(command, args, { encoding: 'utf8' })).stdout;
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, { cause: error });
  }
}

/** The command line that runs `command` as `user` when this process is root, else as itself. */
export function asUser(user: string, command: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', user, '--', command, ...args]] : [command, [...args]];
}

/** A fresh temporary directory for a server of `kind`, owned by `user` when this process is root. */
export function serverDir(kind: ServerKind, user: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-${kind}-`));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  return dir;
}

/** The pid written in a server's pid file (first line), or null. */
export function pidInFile(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Kills the servers of chaos runs whose controller is gone and removes their data. A server's pid
 * file is `pid` in its directory (MariaDB) or `data/postmaster.pid` (PostgreSQL); SIGKILL of the
 * postmaster leaves its backends, which exit once they notice it is gone.
 */
export function removeStaleServers(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!match || alive(Number(match[1]))) continue;
    const dir = path.join(os.tmpdir(), name);
    for (const file of [path.join(dir, 'pid'), path.join(dir, 'data', 'postmaster.pid')]) {
      const pid = pidInFile(file);
      if (pid !== null && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
