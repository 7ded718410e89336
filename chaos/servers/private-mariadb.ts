/**
 * A private MariaDB server: mariadb-install-db into a temporary directory (root without a
 * password), then /usr/sbin/mariadbd as a child of the controller on its own port of 127.0.0.1,
 * socket and pid file in that directory. `crash()` is SIGKILL (InnoDB recovers from its redo log
 * at the next start; a commit is flushed to it before it returns, the default
 * innodb_flush_log_at_trx_commit=1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { freePort } from '../../test/support/zookeeper-server.js';
import { runCommand, serverDir, type PrivateServer } from './private-server.js';

const USER = 'mysql';
const SERVER = '/usr/sbin/mariadbd';
/** How long a start (crash recovery included) may take on a loaded machine, ms. */
const START_TIMEOUT_MS = 120_000;
/** Pause between connection attempts while it starts, ms. */
const POLL_MS = 100;

function installTool(): string {
  const tool = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'].find((t) => existsSync(t));
  if (tool === undefined || !existsSync(SERVER)) throw new Error(`MariaDB's server is missing (${SERVER}, mariadb-install-db): run .ci/run, which installs Debian's mariadb-server package`);
  return tool;
}

async function waitAccepting(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the private MariaDB server exited while starting (see ${log})`);
    try {
      await (await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' })).end();
      return;
    } catch (error) {
      if (performance.now() > deadline) throw new Error(`the private MariaDB server on port ${port} did not accept connections within ${START_TIMEOUT_MS / 1000} s: ${(error as Error).message} (see ${log})`, { cause: error });
    }
    await delay(POLL_MS);
  }
}

export async function startPrivateMariadb(): Promise<PrivateServer> {
  const tool = installTool();
  const dir = serverDir('mariadb', USER);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  let child: ChildProcess | null = null;
  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
  const start = async () => {
    // --no-defaults: nothing of the machine's server configuration (its port, socket, data).
    child = spawn(SERVER, ['--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${path.join(dir, 'sock')}`, `--pid-file=${path.join(dir, 'pid')}`, `--log-error=${log}`, '--skip-name-resolve', '--innodb-buffer-pool-size=32M', ...(asRoot ? [`--user=${USER}`] : [])], { stdio: 'ignore' });
    await waitAccepting(port, child, log);
  };
  const kill = async () => {
    const running = child;
    if (running === null || exited(running)) return;
    const gone = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await gone;
  };
  try {
    await runCommand(tool, ['--no-defaults', `--datadir=${data}`, ...(asRoot ? [`--user=${USER}`] : []), '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve']);
    await start();
  } catch (error) {
    await kill();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    kind: 'mariadb',
    port,
    crash: kill,
    start,
    async remove() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
