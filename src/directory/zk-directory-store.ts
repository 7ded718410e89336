/**
 * The directory's routing data in ZooKeeper, one Helix routing layout per configured namespace
 * (see federation/zk-routing-layout.ts). A namespace's layout lives either at the root of its
 * own routing ZooKeeper, exactly where Helix REST keeps it (`/METADATA_STORE_ROUTING_DATA`), so
 * an existing Helix routing ZooKeeper is served as it is, or under the directory's root in a
 * shared ZooKeeper (`{root}/{namespace}/METADATA_STORE_ROUTING_DATA`).
 *
 * Every write is one multi whose first op rewrites the base znode (the routing ZK address
 * record) naming the version the writer read: a concurrent write bumps that version, so exactly
 * one of two racing writers lands and the other gets VersionConflictError and retries on fresh
 * data (routing-editor.ts).
 */
import type { CallOptions } from '../contract/contract.js';
import { CorruptDocumentError, InvalidRoutingDataError, VersionConflictError } from '../errors.js';
import type { ZkClient, ZkOp } from '../zk-client/zk-client.js';
import { isZkError } from '../zk-client/zookeeper-error.js';
import type { RoutingData } from '../federation/routing-data.js';
import { decodeRealmRecord, decodeRoutingAddress, encodeRealmRecord, encodeRoutingAddressRecord, readRoutingZnodes, type SkippedRealm } from '../federation/zk-routing-layout.js';
import { EMPTY_ROUTING, unknownNamespace, type DirectoryStore, type RoutingSnapshot } from './directory-store.js';

/** Where namespaces without a routing ZooKeeper of their own live unless told otherwise. */
export const DEFAULT_DIRECTORY_ROOT = '/baton-directory';

/** One served namespace: its ZooKeeper, where its layout is, and the address recorded there. */
export interface ZkNamespace {
  readonly name: string;
  /** The routing ZooKeeper's client (owned by the caller). */
  readonly client: ZkClient;
  /** The routing data znode (`/METADATA_STORE_ROUTING_DATA`, or one under the directory root). */
  readonly base: string;
  /** The routing ZooKeeper's connect string, written in the routing ZK address record. */
  readonly address: string;
}

export class ZkDirectoryStore implements DirectoryStore {
  readonly #namespaces: ReadonlyMap<string, ZkNamespace>;
  readonly #names: readonly string[];

  constructor(namespaces: readonly ZkNamespace[]) {
    this.#namespaces = new Map(namespaces.map((n) => [n.name, n]));
    this.#names = Object.freeze([...this.#namespaces.keys()].sort());
  }

  namespaces(): readonly string[] {
    return this.#names;
  }

  /** The routing data znode of a namespace (for ZkRoutingSource). */
  routingPath(namespace: string): string {
    return this.#namespace(namespace).base;
  }

  /**
   * Makes sure every namespace's routing data znode exists and holds the routing ZK address
   * record, as Helix REST does when it starts (`ZkMetadataStoreDirectory.createRoutingDataPath`).
   * Realm znodes are left as they are.
   */
  async ensureLayouts(options?: CallOptions): Promise<void> {
    for (const { client, base, address } of this.#namespaces.values()) {
      const record = encodeRoutingAddressRecord(address);
      const stat = await client.exists(base, options);
      if (stat === null) {
        await client.create(base, record, { ...options, createParents: true }).catch((error: unknown) => {
          if (!isZkError(error, 'NODE_EXISTS')) throw error; // another directory created it first
        });
      } else if (decodeRoutingAddress((await client.getData(base, options)).data) !== address) {
        await client.setData(base, record, options);
      }
    }
  }

  async read(namespace: string, options?: CallOptions): Promise<RoutingSnapshot & { skipped: readonly SkippedRealm[] }> {
    const { client, base } = this.#namespace(namespace);
    let found;
    try {
      found = await readRoutingZnodes(client, base, { ...options, allowNoKeys: true });
    } catch (error) {
      // Data that breaks the rules got there without us (Helix's writer does not validate): the
      // store is at fault, not the request.
      if (error instanceof InvalidRoutingDataError) throw new CorruptDocumentError(base, `the stored routing data is invalid: ${error.message}`, { cause: error });
      throw error;
    }
    return found ? { data: found.data, version: found.stat.version, skipped: found.skipped } : { data: EMPTY_ROUTING, version: null, skipped: [] };
  }

  /**
   * Steps: 1. a missing layout: create the base (with the address record) and the realm
   * znodes in one multi (NODE_EXISTS on the base means another writer created it first: a
   * conflict); 2. an existing one: one multi of rewrite-base-with-expected-version, then delete,
   * create or rewrite each realm znode. Any BAD_VERSION, NODE_EXISTS or NO_NODE means the data
   * moved since it was read: a conflict.
   */
  async write(namespace: string, data: RoutingData, expectVersion: number | null, options?: CallOptions): Promise<void> {
    const { client, base, address } = this.#namespace(namespace);
    const realmOps = (existing: readonly string[], removed: readonly string[]): ZkOp[] => {
      const ops: ZkOp[] = removed.map((r) => ({ op: 'delete', path: `${base}/${r}` }));
      for (const realm of data.realms) {
        const bytes = encodeRealmRecord(realm, data.shardingKeys(realm) ?? []);
        ops.push(existing.includes(realm) ? { op: 'setData', path: `${base}/${realm}`, data: bytes } : { op: 'create', path: `${base}/${realm}`, data: bytes });
      }
      return ops;
    };
    const record = encodeRoutingAddressRecord(address);
    try {
      if (expectVersion === null) {
        const parent = base.slice(0, base.lastIndexOf('/'));
        if (parent !== '') await client.mkdirs(parent, options);
        await client.multi([{ op: 'create', path: base, data: record }, ...realmOps([], [])], options);
        return;
      }
      const existing = await client.getChildren(base, options);
      const removed = await this.#removedRealms(client, base, existing, data, options);
      await client.multi([{ op: 'setData', path: base, data: record, version: expectVersion }, ...realmOps(existing, removed)], options);
    } catch (error) {
      if (isZkError(error, 'BAD_VERSION', 'NODE_EXISTS', 'NO_NODE')) {
        throw new VersionConflictError(`namespace ${namespace}`, expectVersion, null);
      }
      throw error;
    }
  }

  /**
   * The realm znodes to delete: those not in `data` that hold a realm. A znode read as no realm
   * (empty or foreign data, skipped as Helix skips it) is left alone: no write of ours made it.
   */
  async #removedRealms(client: ZkClient, base: string, existing: readonly string[], data: RoutingData, options?: CallOptions): Promise<string[]> {
    const wanted = new Set(data.realms);
    const gone = existing.filter((r) => !wanted.has(r));
    const records = await Promise.all(gone.map(async (r) => decodeRealmRecord((await client.getData(`${base}/${r}`, options)).data)));
    return gone.filter((_, i) => 'keys' in (records[i] as object));
  }

  /** The clients belong to the caller; nothing to release here. */
  async close(): Promise<void> {}

  #namespace(namespace: string): ZkNamespace {
    const found = this.#namespaces.get(namespace);
    if (found === undefined) throw unknownNamespace(namespace, this.#names);
    return found;
  }
}
