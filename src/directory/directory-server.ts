/**
 * A running directory service: one ZooKeeper session, the ZooKeeper store and the HTTP app.
 * Several servers may run against the same ZooKeeper; they share nothing else.
 */
import type { FastifyServerOptions } from 'fastify';
import type { ZkDigest } from '../backends/zookeeper/zk-acl.js';
import { ZkClient } from '../backends/zookeeper/zk-client.js';
import type { WriteMode } from '../write-guard.js';
import { buildDirectoryApp, directoryWriteGuard } from './directory-app.js';
import { DEFAULT_DIRECTORY_ROOT, ZkDirectoryStore } from './zk-directory-store.js';

/**
 * Session timeout asked of the directory's ZooKeeper, ms. The directory holds no ephemeral
 * state; the timeout only bounds how long a dead connection goes unnoticed.
 */
export const DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS = 30_000;

/** The start-up warning of a directory whose writes are open to anyone. */
export const OPEN_WRITES_WARNING =
  'WARNING: writes are open to anyone who can reach this directory (allow-unauthenticated-writes): anyone can point clients at another ZooKeeper; set a token instead unless only trusted clients can connect';

export interface DirectoryServerOptions {
  /** ZooKeeper connect string where routing data is kept. */
  readonly zk: string;
  /** Base znode of all namespaces (default `/baton-directory`). */
  readonly root?: string;
  /** Listening host (default 127.0.0.1) and port (default 0: any free port). */
  readonly host?: string;
  readonly port?: number;
  /** Bearer token required on writes; without one, writes are refused (403). */
  readonly token?: string;
  /** Without a token, accept writes from anyone (default false); logged as a warning at start. */
  readonly allowUnauthenticatedWrites?: boolean;
  /**
   * Digest credentials for ZooKeeper: the client authenticates with them, and every znode the
   * directory creates grants all permissions to them and read to anyone (routing data is public
   * through the open HTTP reads, and federated clients may read a routing ZooKeeper directly).
   */
  readonly zkDigest?: ZkDigest;
  /** See {@link DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS}. */
  readonly sessionTimeoutMs?: number;
  readonly logger?: FastifyServerOptions['logger'];
}

export interface DirectoryServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly store: ZkDirectoryStore;
  /** Who may write: only the token's bearer, anyone (opened on purpose), or no one. */
  readonly writes: WriteMode;
  /** Stops listening and closes the ZooKeeper session. Idempotent. */
  close(): Promise<void>;
}

/**
 * Connects to ZooKeeper, then listens.
 *
 * @example
 * const directory = await startDirectoryServer({ zk: '127.0.0.1:2181', port: 9090, token: process.env.BATON_DIRECTORY_TOKEN });
 * console.log(directory.url);
 * await directory.close();
 */
export async function startDirectoryServer(options: DirectoryServerOptions): Promise<DirectoryServer> {
  const { mode: writes } = directoryWriteGuard(options); // a contradictory setting fails before any I/O
  const acl = options.zkDigest === undefined ? {} : { acl: { digest: options.zkDigest, worldRead: true } };
  const client = await ZkClient.connect({ connect: options.zk, sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS, ...acl });
  const store = new ZkDirectoryStore(client, options.root ?? DEFAULT_DIRECTORY_ROOT);
  const app = buildDirectoryApp({
    store,
    token: options.token,
    allowUnauthenticatedWrites: options.allowUnauthenticatedWrites,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const host = options.host ?? '127.0.0.1';
  try {
    if (writes === 'open') app.log.warn({ writes }, OPEN_WRITES_WARNING);
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
    writes,
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
