/**
 * Routing data as Helix keeps it in a routing ZooKeeper: under `/METADATA_STORE_ROUTING_DATA`
 * one znode per realm, named after the realm, whose data is a ZNRecord JSON document listing
 * the realm's keys in the list field `ZK_PATH_SHARDING_KEYS`:
 *
 *     {"id":"zk-a:2181","simpleFields":{},"listFields":{"ZK_PATH_SHARDING_KEYS":["/orders"]},"mapFields":{}}
 *
 * The directory service writes this layout (one per namespace, under its own base path) and a
 * federated client can read it directly with {@link ZkRoutingSource}.
 */
import type { CallOptions } from '../backend/contract.js';
import { CorruptDocumentError, StoreUnavailableError } from '../errors.js';
import { isJsonObject } from '../backend/json.js';
import type { ZkClient, ZkStat } from '../backends/zookeeper/zk-client.js';
import { isZkError } from '../backends/zookeeper/zookeeper-error.js';
import { RoutingData } from './routing-data.js';

/** Helix's routing data path in a routing ZooKeeper. */
export const ROUTING_DATA_PATH = '/METADATA_STORE_ROUTING_DATA';
/** Helix's ZNRecord list field holding a realm's sharding keys. */
export const SHARDING_KEYS_FIELD = 'ZK_PATH_SHARDING_KEYS';

/**
 * How many times a read retries when a write landed while it was reading (the base znode's
 * version or child version moved). Writes are rare, so a few tries always suffice.
 */
const SNAPSHOT_ATTEMPTS = 8;

/** A realm's znode data: a ZNRecord with the keys in {@link SHARDING_KEYS_FIELD}. */
export function encodeRealmRecord(realm: string, keys: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify({ id: realm, simpleFields: {}, listFields: { [SHARDING_KEYS_FIELD]: keys }, mapFields: {} }));
}

/** The keys in a realm's znode data; CorruptDocumentError naming the znode when malformed. */
export function decodeRealmRecord(path: string, data: Buffer): string[] {
  let record: unknown;
  try {
    record = JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new CorruptDocumentError(path, 'not JSON', { cause: error });
  }
  const lists = isJsonObject(record) ? record['listFields'] : undefined;
  const keys = isJsonObject(lists) ? lists[SHARDING_KEYS_FIELD] : undefined;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new CorruptDocumentError(path, `expected a ZNRecord with list field "${SHARDING_KEYS_FIELD}" of strings`);
  }
  return keys as string[];
}

export interface RoutingZnodes {
  readonly data: RoutingData;
  /** The base znode's stat when read (its `version` is the directory's write counter). */
  readonly stat: ZkStat;
}

/**
 * Reads the routing data under `base` (default {@link ROUTING_DATA_PATH}); null when the base
 * znode does not exist. Steps: 1. stat the base; 2. list and read every realm znode; 3. stat
 * the base again: if its version or child version moved, a write landed meanwhile, so read
 * again; 4. validate the whole (InvalidRoutingDataError when the stored data breaks a rule).
 */
export async function readRoutingZnodes(client: ZkClient, base = ROUTING_DATA_PATH, options: CallOptions & { allowNoKeys?: boolean } = {}): Promise<RoutingZnodes | null> {
  for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
    const before = await client.exists(base, options);
    if (!before) return null;
    const record: Record<string, string[]> = {};
    try {
      const realms = await client.getChildren(base, options);
      await Promise.all(realms.map(async (realm) => {
        const path = `${base}/${realm}`;
        record[realm] = decodeRealmRecord(path, (await client.getData(path, options)).data);
      }));
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) continue; // a realm or the base went away while reading
      throw error;
    }
    const after = await client.exists(base, options);
    if (after && after.version === before.version && after.cversion === before.cversion) {
      return { data: RoutingData.from(record, { allowNoKeys: options.allowNoKeys ?? false }), stat: after };
    }
  }
  throw new StoreUnavailableError(`routing data under ${base} kept changing while being read (${SNAPSHOT_ATTEMPTS} attempts); try again`);
}
