/**
 * A running directory service: one ZooKeeper session, the ZooKeeper store and the HTTP app.
 * Several servers may run against the same ZooKeeper; they share nothing else.
 */
import type { FastifyServerOptions } from 'fastify';
import type { CallOptions } from '../contract/contract.js';
import type { ZkDigest } from '../zk-client/zk-acl.js';
import { ZkClient } from '../zk-client/zk-client.js';
import type { WriteMode } from '../write-guard.js';
import { buildDirectoryApp, directoryWriteGuard } from './directory-app.js';
import { DEFAULT_DIRECTORY_ROOT, ZkDirectoryStore } from './zk-directory-store.js';
import { DEFAULT_NAMESPACE, validateNamespace } from './directory-store.js';
import { AbortedError, ConfigError } from '../errors.js';
import { ROUTING_DATA_PATH } from '../federation/zk-routing-layout.js';

/**
 * Session timeout asked of the directory's ZooKeeper, ms. The directory holds no ephemeral
 * state; the timeout only bounds how long a dead connection goes unnoticed.
 */
export const DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS = 30_000;

/** The start-up warning of a directory whose writes are open to anyone. */
export const OPEN_WRITES_WARNING =
  'WARNING: writes are open to anyone who can reach this directory (allow-unauthenticated-writes): anyone can point clients at another ZooKeeper; set a token instead unless only trusted clients can connect';

/**
 * One namespace the directory serves. Without `zk`, its routing data lives in the directory's
 * ZooKeeper under `{root}/{name}`; with `zk`, at the root of that routing ZooKeeper in Helix's
 * own layout (`/METADATA_STORE_ROUTING_DATA`), so an existing Helix routing ZooKeeper is served
 * without migration.
 */
export interface DirectoryNamespaceConfig {
  readonly name: string;
  readonly zk?: string;
}

export interface DirectoryServerOptions extends CallOptions {
  /** ZooKeeper connect string of namespaces without their own (needed when there are any). */
  readonly zk?: string;
  /**
   * The namespaces served; every other namespace is refused with 404, as Helix REST serves
   * only its configured namespaces (default: `default`, in `zk`).
   */
  readonly namespaces?: readonly (string | DirectoryNamespaceConfig)[];
  /** Base znode of namespaces without their own ZooKeeper (default `/baton-directory`). */
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
  /** @internal The routing data store the service reads and writes. */
  readonly store: ZkDirectoryStore;
  /** Who may write: only the token's bearer, anyone (opened on purpose), or no one. */
  readonly writes: WriteMode;
  /** Stops listening and closes the ZooKeeper session. Idempotent. */
  close(): Promise<void>;
}

/** Each namespace with its ZooKeeper and base path; ConfigError for a bad or incomplete setting. */
function namespaceConfigs(options: DirectoryServerOptions): { name: string; zk: string; base: string }[] {
  const root = options.root ?? DEFAULT_DIRECTORY_ROOT;
  const seen = new Set<string>();
  return (options.namespaces ?? [DEFAULT_NAMESPACE]).map((entry) => {
    const { name, zk } = typeof entry === 'string' ? { name: entry, zk: undefined } : entry;
    try {
      validateNamespace(name);
    } catch (error) {
      throw new ConfigError('namespaces', (error as Error).message);
    }
    if (seen.has(name)) throw new ConfigError('namespaces', `namespace "${name}" is listed twice`);
    seen.add(name);
    if (zk !== undefined) return { name, zk, base: ROUTING_DATA_PATH };
    if (options.zk === undefined || options.zk === '') {
      throw new ConfigError('zk', `namespace "${name}" has no routing ZooKeeper of its own (NAME=CONNECT), so give the directory's ZooKeeper (--zk CONNECT)`);
    }
    return { name, zk: options.zk, base: `${root}/${name}${ROUTING_DATA_PATH}` };
  });
}

/**
 * Connects to ZooKeeper, creates each namespace's routing data znode (with the routing ZK
 * address record) where it is missing, as Helix REST does at start, then listens. Rejects with
 * AbortedError when `options.signal` aborts before it listens (what it opened is closed).
 *
 * @example
 * const directory = await startDirectoryServer({ zk: '127.0.0.1:2181', namespaces: ['prod'], port: 9090, token: process.env.BATON_DIRECTORY_TOKEN });
 * console.log(directory.url);
 * await directory.close();
 */
export async function startDirectoryServer(options: DirectoryServerOptions): Promise<DirectoryServer> {
  const { mode: writes } = directoryWriteGuard(options); // a contradictory setting fails before any I/O
  const namespaces = namespaceConfigs(options);
  const acl = options.zkDigest === undefined ? {} : { acl: { digest: options.zkDigest, worldRead: true } };
  const clients = new Map<string, ZkClient>();
  const closeClients = () => Promise.all([...clients.values()].map((c) => c.close())).then(() => undefined);
  let store: ZkDirectoryStore;
  try {
    for (const { zk } of namespaces) {
      if (!clients.has(zk)) clients.set(zk, await ZkClient.connect({ connect: zk, sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_DIRECTORY_SESSION_TIMEOUT_MS, ...acl }, { signal: options.signal }));
    }
    store = new ZkDirectoryStore(namespaces.map((n) => ({ name: n.name, client: clients.get(n.zk) as ZkClient, base: n.base, address: n.zk })));
    await store.ensureLayouts({ signal: options.signal });
  } catch (error) {
    await closeClients();
    throw error;
  }
  const app = buildDirectoryApp({
    store,
    token: options.token,
    allowUnauthenticatedWrites: options.allowUnauthenticatedWrites,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const host = options.host ?? '127.0.0.1';
  try {
    if (options.signal?.aborted) throw new AbortedError('starting the directory server', options.signal.reason);
    if (writes === 'open') app.log.warn({ writes }, OPEN_WRITES_WARNING);
    await app.listen({ host, port: options.port ?? 0 });
  } catch (error) {
    await closeClients();
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
          await closeClients();
        }
      })()),
  };
}
