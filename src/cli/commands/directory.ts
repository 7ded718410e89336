/** `baton directory start`: runs the metadata store directory service until SIGINT/SIGTERM. */
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { json } from '../output.js';
import { startDirectoryServer } from '../../directory/directory-server.js';
import { DEFAULT_DIRECTORY_ROOT } from '../../directory/zk-directory-store.js';

/** Helix's REST server listens on 8100 by default; the directory does too. */
const DEFAULT_PORT = 8100;

export const directoryCommand: Command = {
  name: 'directory',
  summary: 'Run the metadata store directory service (routing data for federated ZooKeeper clients, kept in ZooKeeper)',
  usage: 'baton directory start --zk CONNECT [--port N] [--host H] [--token T] [--root PATH] [--json]',
  examples: [
    'baton directory start --zk 127.0.0.1:2181 --port 8100 --token s3cret',
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
    token: { type: 'string', value: 'token', help: 'Bearer token required on writes (env BATON_DIRECTORY_TOKEN); none = open' },
    root: { type: 'string', value: 'path', help: `Znode under which namespaces live (default ${DEFAULT_DIRECTORY_ROOT})` },
  },
  positionals: true,
  async run(values, positionals, io) {
    if (positionals[0] !== 'start' || positionals.length !== 1) throw new UsageError('the only action is "start": baton directory start --zk CONNECT');
    const zk = values.zk;
    if (typeof zk !== 'string' || zk === '') throw new UsageError('give --zk CONNECT (for example 127.0.0.1:2181)');
    const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got "${String(values.port)}"`);
    const token = typeof values.token === 'string' ? values.token : io.env.BATON_DIRECTORY_TOKEN;
    const server = await startDirectoryServer({
      zk,
      port,
      ...(typeof values.host === 'string' ? { host: values.host } : {}),
      ...(typeof values.root === 'string' ? { root: values.root } : {}),
      ...(token ? { token } : {}),
    });
    io.out(values.json === true ? json({ url: server.url, zk, auth: token !== undefined && token !== '' }, false) : `directory service listening on ${server.url} (routing data in ZooKeeper ${zk}${token ? ', writes need the bearer token' : ', writes open: no token'})`);
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
