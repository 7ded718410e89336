/**
 * The directory's routing data in ZooKeeper, one Helix routing layout per namespace:
 *
 *     {root}/{namespace}/METADATA_STORE_ROUTING_DATA            the namespace's write counter
 *     {root}/{namespace}/METADATA_STORE_ROUTING_DATA/{realm}    ZNRecord with the realm's keys
 *
 * Every write is one multi whose first op sets the base znode's data with the version the
 * writer read: a concurrent write bumps that version, so exactly one of two racing writers
 * lands and the other gets VersionConflictError and retries on fresh data (routing-editor.ts).
 * A federated client can read a namespace directly with ZkRoutingSource at the base path.
 */
import type { CallOptions } from '../backend/contract.js';
import { VersionConflictError } from '../errors.js';
import type { ZkClient, ZkOp } from '../backends/zookeeper/zk-client.js';
import { isZkError } from '../backends/zookeeper/zookeeper-error.js';
import type { RoutingData } from '../federation/routing-data.js';
import { ROUTING_DATA_PATH, encodeRealmRecord, readRoutingZnodes } from '../federation/zk-routing-layout.js';
import { validateNamespace, type DirectoryStore, type RoutingSnapshot } from './directory-store.js';

/** Where namespaces live unless told otherwise. */
export const DEFAULT_DIRECTORY_ROOT = '/baton-directory';

export class ZkDirectoryStore implements DirectoryStore {
  readonly #client: ZkClient;
  readonly #root: string;

  /** Uses `client` (the caller closes it) with namespaces under `root`. */
  constructor(client: ZkClient, root = DEFAULT_DIRECTORY_ROOT) {
    this.#client = client;
    this.#root = root;
  }

  /** The base path of a namespace's routing data (for ZkRoutingSource). */
  routingPath(namespace: string): string {
    return `${this.#root}/${validateNamespace(namespace)}${ROUTING_DATA_PATH}`;
  }

  async namespaces(options?: CallOptions): Promise<string[]> {
    try {
      return (await this.#client.getChildren(this.#root, options)).sort();
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) return [];
      throw error;
    }
  }

  async read(namespace: string, options?: CallOptions): Promise<RoutingSnapshot | null> {
    const found = await readRoutingZnodes(this.#client, this.routingPath(namespace), { ...options, allowNoKeys: true });
    return found ? { data: found.data, version: found.stat.version } : null;
  }

  /**
   * Steps: 1. a new namespace: create its base and realm znodes in one multi (NODE_EXISTS on
   * the base means another writer created it first: a conflict); 2. an existing one: one multi
   * of set-base-with-expected-version, then delete, create or rewrite each realm znode. Any
   * BAD_VERSION, NODE_EXISTS or NO_NODE means the data moved since it was read: a conflict.
   */
  async write(namespace: string, data: RoutingData, expectVersion: number | null, options?: CallOptions): Promise<void> {
    const base = this.routingPath(namespace);
    const realmOps = (existing: readonly string[]): ZkOp[] => {
      const wanted = new Set(data.realms);
      const ops: ZkOp[] = existing.filter((r) => !wanted.has(r)).map((r) => ({ op: 'delete', path: `${base}/${r}` }));
      for (const realm of data.realms) {
        const bytes = encodeRealmRecord(realm, data.shardingKeys(realm) ?? []);
        ops.push(existing.includes(realm) ? { op: 'setData', path: `${base}/${realm}`, data: bytes } : { op: 'create', path: `${base}/${realm}`, data: bytes });
      }
      return ops;
    };
    try {
      if (expectVersion === null) {
        await this.#client.mkdirs(`${this.#root}/${namespace}`, options);
        await this.#client.multi([{ op: 'create', path: base }, ...realmOps([])], options);
        return;
      }
      const existing = await this.#client.getChildren(base, options);
      await this.#client.multi([{ op: 'setData', path: base, data: Buffer.alloc(0), version: expectVersion }, ...realmOps(existing)], options);
    } catch (error) {
      if (isZkError(error, 'BAD_VERSION', 'NODE_EXISTS', 'NO_NODE')) {
        throw new VersionConflictError(`namespace ${namespace}`, expectVersion, null);
      }
      throw error;
    }
  }

  /** The client belongs to the caller; nothing to release here. */
  async close(): Promise<void> {}
}
