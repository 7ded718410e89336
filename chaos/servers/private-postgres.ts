/**
 * A private PostgreSQL server (Debian's newest /usr/lib/postgresql/N/bin): initdb with trust auth
 * into a temporary directory, started by pg_ctl on its own port of 127.0.0.1 with its socket in
 * that directory. `crash()` is `pg_ctl stop -m immediate` (the postmaster quits every backend at
 * once, no checkpoint: the next start replays the WAL, as after a crash).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../test/support/zookeeper-server.js';
import { asUser, runCommand, serverDir, type PrivateServer } from './private-server.js';

const USER = 'postgres';
const ROOT = '/usr/lib/postgresql';
/** pg_ctl's wait for a start (crash recovery included) or a stop, s; generous for a loaded machine. */
const WAIT_S = 120;

function binDir(): string {
  const versions = existsSync(ROOT) ? readdirSync(ROOT).filter((v) => existsSync(path.join(ROOT, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (newest === undefined) throw new Error(`PostgreSQL's server binaries are missing (${ROOT}/N/bin/initdb): run .ci/run, which installs Debian's postgresql package`);
  return path.join(ROOT, newest, 'bin');
}

export async function startPrivatePostgres(): Promise<PrivateServer> {
  const bin = binDir();
  const dir = serverDir('postgres', USER);
  const data = path.join(dir, 'data');
  const port = await freePort();
  const run = (tool: string, args: readonly string[]) => runCommand(...asUser(USER, path.join(bin, tool), args));
  const start = () => run('pg_ctl', ['start', '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', String(WAIT_S), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`]);
  const stop = (mode: 'immediate' | 'fast') => run('pg_ctl', ['stop', '-D', data, '-m', mode, '-w', '-t', String(WAIT_S)]);
  try {
    await run('initdb', ['-D', data, '-A', 'trust', '-U', USER, '--no-sync']);
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    kind: 'postgres',
    port,
    crash: async () => void (await stop('immediate')),
    start: async () => void (await start()),
    async remove() {
      if (existsSync(path.join(data, 'postmaster.pid'))) await stop('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
