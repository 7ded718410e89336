/** `baton directory start`: runs the metadata store directory service until SIGINT/SIGTERM. */
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { json } from '../output.js';
import { secretFrom, zkDigestFrom } from '../secrets.js';
import { OPEN_WRITES_WARNING, startDirectoryServer, type DirectoryNamespaceConfig } from '../../directory/directory-server.js';
import { DEFAULT_DIRECTORY_ROOT } from '../../directory/zk-directory-store.js';

/** Helix's REST server listens on 8100 by default; the directory does too. */
const DEFAULT_PORT = 8100;

const WRITES = { token: 'need the bearer token', open: 'OPEN TO ANYONE', refused: 'refused (no token)' } as const;

export const directoryCommand: Command = {
  name: 'directory',
  summary: 'Run the metadata store directory service (routing data for federated ZooKeeper clients, kept in ZooKeeper)',
  usage: 'baton directory start [--zk CONNECT] [--namespace NAME[=CONNECT]]... [--port N] [--host H] [--token-file F | --allow-unauthenticated-writes] [--zk-digest-file F] [--root PATH] [--json]',
  examples: [
    'baton directory start --zk 127.0.0.1:2181 --port 8100 --token-file /run/secrets/directory-token',
    'baton directory start --zk 127.0.0.1:2181 --namespace prod --namespace staging --token-file /run/secrets/directory-token',
    'baton directory start --namespace prod=routing-zk:2181 --token-file F   # serve an existing Helix routing ZooKeeper as is',
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
    zk: { type: 'string', value: 'connect', help: `ZooKeeper connect string where namespaces without their own ZooKeeper keep their routing data (under --root)` },
    namespace: {
      type: 'string',
      multiple: true,
      value: 'name[=connect]',
      help: 'A namespace to serve (repeat for more; default "default"); others are refused with 404. NAME=CONNECT serves the Helix routing ZooKeeper at CONNECT in Helix\'s own layout (/METADATA_STORE_ROUTING_DATA at its root)',
    },
    port: { type: 'string', value: 'port', help: `HTTP port (default ${DEFAULT_PORT}; 0 picks a free one)` },
    host: { type: 'string', value: 'host', help: 'HTTP listen address (default 127.0.0.1)' },
    'token-file': { type: 'string', value: 'file', help: 'File holding the bearer token that writes need (or env BATON_DIRECTORY_TOKEN); without a token writes are refused' },
    'allow-unauthenticated-writes': { type: 'boolean', help: 'Without a token, let anyone write routing data (logged as a warning; only where just trusted clients can connect)' },
    'zk-digest-file': { type: 'string', value: 'file', help: 'File holding ZooKeeper digest credentials "user:password" (or env BATON_DIRECTORY_ZK_DIGEST): authenticate, and create znodes readable by anyone, writable only with them' },
    root: { type: 'string', value: 'path', help: `Znode under which namespaces without their own ZooKeeper live (default ${DEFAULT_DIRECTORY_ROOT}): {root}/{namespace}/METADATA_STORE_ROUTING_DATA` },
  },
  positionals: true,
  async run(values, positionals, io) {
    if (positionals[0] !== 'start' || positionals.length !== 1) throw new UsageError('the only action is "start": baton directory start --zk CONNECT');
    const zk = typeof values.zk === 'string' && values.zk !== '' ? values.zk : undefined;
    const namespaces = namespacesFrom(values.namespace);
    if (zk === undefined && (namespaces === undefined || namespaces.some((n) => n.zk === undefined))) {
      throw new UsageError('give --zk CONNECT (for example 127.0.0.1:2181), or a routing ZooKeeper for every namespace (--namespace NAME=CONNECT)');
    }
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${String(values.port)}"`);
    const token = secretFrom(values, 'token-file', 'BATON_DIRECTORY_TOKEN', io.env);
    const zkDigest = zkDigestFrom(values, 'zk-digest-file', 'BATON_DIRECTORY_ZK_DIGEST', io.env);
    const server = await startDirectoryServer({
      ...(zk === undefined ? {} : { zk }),
      ...(namespaces === undefined ? {} : { namespaces }),
      port,
      ...(typeof values.host === 'string' ? { host: values.host } : {}),
      ...(typeof values.root === 'string' ? { root: values.root } : {}),
      ...(token === undefined ? {} : { token }),
      ...(zkDigest === undefined ? {} : { zkDigest }),
      allowUnauthenticatedWrites: values['allow-unauthenticated-writes'] === true,
    });
    if (server.writes === 'open') io.err(`baton directory: ${OPEN_WRITES_WARNING}`);
    const served = server.store.namespaces();
    io.out(values.json === true
      ? json({ url: server.url, zk: zk ?? null, namespaces: served, writes: server.writes, auth: server.writes === 'token', zkAcl: zkDigest !== undefined })
      : `directory service listening on ${server.url} (namespaces: ${served.join(', ')}; routing data in ZooKeeper ${zk ?? 'per namespace'}${zkDigest ? ' with digest ACLs' : ''}; writes: ${WRITES[server.writes]})`);
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

/** `--namespace NAME` or `NAME=CONNECT`, repeated; undefined when none was given. */
function namespacesFrom(value: unknown): DirectoryNamespaceConfig[] | undefined {
  if (value === undefined) return undefined;
  const given = Array.isArray(value) ? (value as string[]) : [String(value)];
  return given.map((entry) => {
    const at = entry.indexOf('=');
    if (at < 0) return { name: entry };
    const [name, zk] = [entry.slice(0, at), entry.slice(at + 1)];
    if (zk === '') throw new UsageError(`--namespace ${entry}: give the routing ZooKeeper after "=" (NAME=CONNECT) or no "="`);
    return { name, zk };
  });
}
