/**
 * The ZooKeeper backend. It holds two kinds of ZooKeeper sessions:
 * - one shared connection for reads, KV writes (fenced ones too: the fence is a `check` in the
 *   same multi, whichever connection sends it) and watches; replaced if it ever expires;
 * - one connection per baton Session, whose ZooKeeper session IS the baton session: the member
 *   and candidate znodes are its ephemerals, and closing it removes them at once.
 * Layout: see zk-layout.ts. Liveness and the local deadline: see zk-session.ts.
 */
import type { Backend, CallOptions } from '../../contract/contract.js';
import { validateSegment } from '../../contract/names.js';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { NotFoundError } from '../../errors.js';
import { normalizeChroot, normalizeConnect } from '../../zk-client/connect-string.js';
import type { ZkAcl } from '../../zk-client/zk-acl.js';
import { ZkClient } from '../../zk-client/zk-client.js';
import { toContractError } from '../../zk-client/zookeeper-error.js';
import { explainNoAuth, lockDownSubtree } from './zk-acl-lockdown.js';
import { ZkLayout } from './zk-layout.js';
import { ZookeeperBackend } from './zk-backend.js';

export interface ZookeeperBackendOptions {
  /** The ensemble: `host:port,host:port,...` (port defaults to 2181). */
  readonly connect: string;
  /** A znode path that holds everything (`/apps/baton`); created when missing. */
  readonly chroot?: string;
  readonly cluster: string;
  /** Monotonic clock for session deadlines; default the system clock. */
  readonly clock?: Clock;
  /**
   * Session timeout of the backend's shared connection (reads, unfenced writes, watches), ms.
   * It holds no ephemerals, so it only bounds how long a partition may last before its watches
   * must be set again on a new session. Default 15000 (ZooKeeper's usual range is 4-40 s).
   */
  readonly sharedSessionTimeoutMs?: number;
  /**
   * Digest credentials for every connection, and the ACL of every znode the backend creates
   * (the chroot, its layout, members, candidates, KV). Default none: znodes open to anyone.
   */
  readonly acl?: ZkAcl;
  /**
   * Open for reading only: create nothing (neither the chroot nor the cluster's znodes) and fail
   * with NotFoundError('store') when the cluster has no znodes and no other cluster does either.
   */
  readonly readOnly?: boolean;
  /** How long to wait for the first connection, ms. Default: the shared session timeout. */
  readonly connectTimeoutMs?: number;
}

/** Session timeout asked for the shared connection, ms (the server's clock): baton's default ttl. */
const DEFAULT_SHARED_SESSION_TIMEOUT_MS = 15_000;

/**
 * Opens a ZooKeeper backend: baton's state under `/{cluster}/baton` inside `chroot`.
 *
 * @example
 * const backend = await createZookeeperBackend({ connect: 'zk1:2181,zk2:2181,zk3:2181', chroot: '/baton', cluster: 'prod' });
 * const session = await backend.openSession({ nodeId: 'n1', info: { host: 'n1' }, timing: DEFAULT_TIMING });
 */
export async function createZookeeperBackend(options: ZookeeperBackendOptions, { signal }: CallOptions = {}): Promise<Backend> {
  const layout = new ZkLayout(validateSegment('cluster name', options.cluster));
  const connect = normalizeConnect(options.connect, 'store.connect');
  const chroot = normalizeChroot(options.chroot, 'store.chroot');
  const sessionTimeoutMs = options.sharedSessionTimeoutMs ?? DEFAULT_SHARED_SESSION_TIMEOUT_MS;
  const acl = options.acl;
  const connectTimeoutMs = options.connectTimeoutMs ?? sessionTimeoutMs;
  if (options.readOnly === true) return openForReading({ ...options, connect, chroot, sessionTimeoutMs, connectTimeoutMs, layout }, signal);
  if (chroot) {
    // The library cannot create its chroot: make it with a client outside it first.
    const bootstrap = await ZkClient.connect({ connect, sessionTimeoutMs, connectTimeoutMs, acl }, { signal });
    try {
      await bootstrap.mkdirs(chroot, { signal });
    } catch (error) {
      throw explainNoAuth(error, chroot, acl);
    } finally {
      await bootstrap.close();
    }
  }
  const shared = await ZkClient.connect({ connect, chroot, sessionTimeoutMs, connectTimeoutMs, acl }, { signal });
  try {
    for (const path of [layout.kv, layout.members, layout.elections]) await shared.mkdirs(path, { signal });
    // Znodes made before ACLs were turned on would stay open to anyone (zk-acl-lockdown.ts).
    if (acl) await lockDownSubtree(shared, layout.root, acl, { signal });
  } catch (error) {
    await shared.close();
    throw toContractError(explainNoAuth(error, layout.root, acl));
  }
  return new ZookeeperBackend({ connect, chroot, sessionTimeoutMs, acl, cluster: options.cluster, clock: options.clock ?? systemClock, layout, shared });
}

/**
 * The read-only open: one connection, no znode created. A cluster without its root znode is
 * read as empty when the store holds other clusters (the reader then names them); a store
 * with no baton cluster at all is NotFoundError.
 */
async function openForReading(
  options: ZookeeperBackendOptions & { connect: string; chroot: string | undefined; sessionTimeoutMs: number; connectTimeoutMs: number; layout: ZkLayout },
  signal: AbortSignal | undefined,
): Promise<Backend> {
  const { connect, chroot, sessionTimeoutMs, connectTimeoutMs, acl, layout } = options;
  const shared = await ZkClient.connect({ connect, chroot, sessionTimeoutMs, connectTimeoutMs, acl }, { signal });
  const backend = new ZookeeperBackend({ connect, chroot, sessionTimeoutMs, acl, cluster: options.cluster, clock: options.clock ?? systemClock, layout, shared });
  try {
    if ((await shared.exists(layout.root, { signal })) !== null) {
      await shared.getChildren(layout.root, { signal }); // exists() ignores ACLs: prove this client may read
    } else if ((await backend.clusters({ signal })).length === 0) {
      throw new NotFoundError('store', `no baton data here: ZooKeeper ${connect}${chroot ?? ''} holds no baton cluster (no /{cluster}/baton znode); check the store URL and its chroot, or start a node first`);
    }
  } catch (error) {
    await backend.close();
    throw toContractError(explainNoAuth(error, layout.root, acl));
  }
  return backend;
}
