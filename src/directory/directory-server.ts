/**
 * A running directory service: one ZooKeeper session, the ZooKeeper store and the HTTP app.
 * Several servers may run against the same ZooKeeper; they share nothing else.
 */
import type { FastifyServerOptions } from 'fastify';
import { ZkClient } from '../backends/zookeeper/zk-client.js';
import { buildDirectoryApp } from './directory-app.js';
import { DEFAULT_DIRECTORY_ROOT, ZkDirectoryStore } from './zk-directory-store.js';

/**
 * Session timeout asked of the directory's ZooKeeper, ms. The directory holds no ephemeral
 * state; the timeout only bounds how long a dead connection goes unnoticed.
 */
export const DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS = 30_000;

export interface DirectoryServerOptions {
  /** ZooKeeper connect string where routing data is kept. */
  readonly zk: string;
  /** Base znode of all namespaces (default `/baton-directory`). */
  readonly root?: string;
  /** Listening host (default 127.0.0.1) and port (default 0: any free port). */
  readonly host?: string;
  readonly port?: number;
  /** Bearer token required on writes; none means writes are open. */
  readonly token?: string;
  /** See {@link DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS}. */
  readonly sessionTimeoutMs?: number;
  readonly logger?: FastifyServerOptions['logger'];
}

export interface DirectoryServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly store: ZkDirectoryStore;
  /** Stops listening and closes the ZooKeeper session. Idempotent. */
  close(): Promise<void>;
}

/**
 * Connects to ZooKeeper, then listens.
 *
 * @example
 * const directory = await startDirectoryServer({ zk: '127.0.0.1:2181', port: 9090, token: 's3cret' });
 * console.log(directory.url);
 * await directory.close();
 */
export async function startDirectoryServer(options: DirectoryServerOptions): Promise<DirectoryServer> {
  const client = await ZkClient.connect({ connect: options.zk, sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS });
  const store = new ZkDirectoryStore(client, options.root ?? DEFAULT_DIRECTORY_ROOT);
  const app = buildDirectoryApp({ store, ...(options.token === undefined ? {} : { token: options.token }), ...(options.logger === undefined ? {} : { logger: options.logger }) });
  const host = options.host ?? '127.0.0.1';
  try {
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await client.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    close: () =>
      (closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await client.close();
        }
      })()),
  };
}
