/** `baton directory start`: runs the metadata store directory service until SIGINT/SIGTERM. */
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { json } from '../output.js';
import { secretFrom, zkDigestFrom } from '../secrets.js';
import { OPEN_WRITES_WARNING, startDirectoryServer } from '../../directory/directory-server.js';
import { DEFAULT_DIRECTORY_ROOT } from '../../directory/zk-directory-store.js';

/** Helix's REST server listens on 8100 by default; the directory does too. */
const DEFAULT_PORT = 8100;

const WRITES = { token: 'need the bearer token', open: 'OPEN TO ANYONE', refused: 'refused (no token)' } as const;

export const directoryCommand: Command = {
  name: 'directory',
  summary: 'Run the metadata store directory service (routing data for federated ZooKeeper clients, kept in ZooKeeper)',
  usage: 'baton directory start --zk CONNECT [--port N] [--host H] [--token-file F | --allow-unauthenticated-writes] [--zk-digest-file F] [--root PATH] [--json]',
  examples: [
    'baton directory start --zk 127.0.0.1:2181 --port 8100 --token-file /run/secrets/directory-token',
    'BATON_DIRECTORY_TOKEN="$(cat token)" baton directory start --zk zk1:2181,zk2:2181 --zk-digest-file /run/secrets/zk-digest',
    'baton directory start --zk 127.0.0.1:2181 --allow-unauthenticated-writes   # trusted network only',
    'curl http://127.0.0.1:8100/admin/v2/namespaces/default/routing-data',
  ],
  exitCodes: [
    '0  stopped by SIGTERM or Ctrl-C',
    '1  ZooKeeper is unreachable or the port is taken',
    '2  usage: unknown command or flag, bad value, invalid configuration',
  ],
  options: {
    zk: { type: 'string', value: 'connect', help: 'ZooKeeper connect string where the routing data is kept' },
    port: { type: 'string', value: 'port', help: `HTTP port (default ${DEFAULT_PORT}; 0 picks a free one)` },
    host: { type: 'string', value: 'host', help: 'HTTP listen address (default 127.0.0.1)' },
    'token-file': { type: 'string', value: 'file', help: 'File holding the bearer token that writes need (or env BATON_DIRECTORY_TOKEN); without a token writes are refused' },
    'allow-unauthenticated-writes': { type: 'boolean', help: 'Without a token, let anyone write routing data (logged as a warning; only where just trusted clients can connect)' },
    'zk-digest-file': { type: 'string', value: 'file', help: 'File holding ZooKeeper digest credentials "user:password" (or env BATON_DIRECTORY_ZK_DIGEST): authenticate, and create znodes readable by anyone, writable only with them' },
    root: { type: 'string', value: 'path', help: `Znode under which namespaces live (default ${DEFAULT_DIRECTORY_ROOT})` },
  },
  positionals: true,
  async run(values, positionals, io) {
    if (positionals[0] !== 'start' || positionals.length !== 1) throw new UsageError('the only action is "start": baton directory start --zk CONNECT');
    const zk = values.zk;
    if (typeof zk !== 'string' || zk === '') throw new UsageError('give --zk CONNECT (for example 127.0.0.1:2181)');
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${String(values.port)}"`);
    const token = secretFrom(values, 'token-file', 'BATON_DIRECTORY_TOKEN', io.env);
    const zkDigest = zkDigestFrom(values, 'zk-digest-file', 'BATON_DIRECTORY_ZK_DIGEST', io.env);
    const server = await startDirectoryServer({
      zk,
      port,
      ...(typeof values.host === 'string' ? { host: values.host } : {}),
      ...(typeof values.root === 'string' ? { root: values.root } : {}),
      ...(token === undefined ? {} : { token }),
      ...(zkDigest === undefined ? {} : { zkDigest }),
      allowUnauthenticatedWrites: values['allow-unauthenticated-writes'] === true,
    });
    if (server.writes === 'open') io.err(`baton directory: ${OPEN_WRITES_WARNING}`);
    io.out(values.json === true ? json({ url: server.url, zk, writes: server.writes, auth: server.writes === 'token', zkAcl: zkDigest !== undefined }, false) : `directory service listening on ${server.url} (routing data in ZooKeeper ${zk}${zkDigest ? ' with digest ACLs' : ''}; writes: ${WRITES[server.writes]})`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
