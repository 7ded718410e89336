/**
 * Routing data as Helix keeps it in a routing ZooKeeper (helix-rest `ZkRoutingDataWriter`,
 * zookeeper-api `ZkRoutingDataReader`, constants in metadata-store-directory-common
 * `MetadataStoreRoutingConstants`):
 *
 *     /METADATA_STORE_ROUTING_DATA          ZNRecord "METADATA_STORE_ROUTING_DATA" whose list field
 *                                           ROUTING_ZK_ADDRESS names the routing ZooKeeper
 *     /METADATA_STORE_ROUTING_DATA/{realm}  ZNRecord {realm} whose list field
 *                                           ZK_PATH_SHARDING_KEYS lists the realm's keys
 *
 *     {"id":"zk-a:2181","simpleFields":{},"mapFields":{},"listFields":{"ZK_PATH_SHARDING_KEYS":["/orders"]}}
 *
 * Read as Helix's readers read it: a realm ZNRecord without the list field is a realm with no
 * keys (what Helix writes for a realm added without keys); a realm znode whose data is empty or
 * not a ZNRecord is no realm at all (Helix's ZNRecordSerializer answers null and the reader
 * skips it), reported in `skipped`; gzip-compressed ZNRecords (Helix compresses large records)
 * are inflated. The directory service writes this layout, and a federated client reads it with
 * {@link ZkRoutingSource}.
 */
import { gunzipSync } from 'node:zlib';
import type { CallOptions } from '../contract/contract.js';
import { StoreUnavailableError } from '../errors.js';
import { isJsonObject } from '../contract/json.js';
import type { ZkClient, ZkStat } from '../zk-client/zk-client.js';
import { isZkError } from '../zk-client/zookeeper-error.js';
import { RoutingData } from './routing-data.js';

/** Helix's routing data path in a routing ZooKeeper. */
export const ROUTING_DATA_PATH = '/METADATA_STORE_ROUTING_DATA';
/** Helix's ZNRecord list field holding a realm's sharding keys. */
export const SHARDING_KEYS_FIELD = 'ZK_PATH_SHARDING_KEYS';
/** Helix's ZNRecord list field of the routing data znode naming the routing ZooKeeper. */
export const ROUTING_ZK_ADDRESS_FIELD = 'ROUTING_ZK_ADDRESS';

/**
 * How many times a read retries when a write landed while it was reading (the base znode's
 * version or child version moved). Writes are rare, so a few tries always suffice.
 */
const SNAPSHOT_ATTEMPTS = 8;
/** The first two bytes of a gzip stream (what Helix's GZipCompressionUtil.isCompressed checks). */
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** A ZNRecord as Helix serializes it (Jackson, indented), with one list field. */
function encodeZnRecord(id: string, field: string, list: readonly string[]): Buffer {
  return Buffer.from(`${JSON.stringify({ id, simpleFields: {}, mapFields: {}, listFields: { [field]: list } }, null, 2)}\n`);
}

/** A realm's znode data: a ZNRecord with the keys in {@link SHARDING_KEYS_FIELD}. */
export function encodeRealmRecord(realm: string, keys: readonly string[]): Buffer {
  return encodeZnRecord(realm, SHARDING_KEYS_FIELD, keys);
}

/** The routing data znode's data: Helix's routing ZK address record. */
export function encodeRoutingAddressRecord(address: string): Buffer {
  return encodeZnRecord(ROUTING_DATA_PATH.slice(1), ROUTING_ZK_ADDRESS_FIELD, [address]);
}

/** A realm's keys, or why its znode is no realm (Helix would read it as null and skip it). */
export type RealmRecord = { readonly keys: string[] } | { readonly skipped: string };

/** The keys in a realm's znode data, or the reason it is skipped. Never throws. */
export function decodeRealmRecord(data: Buffer): RealmRecord {
  const record = parseZnRecord(data);
  if (typeof record === 'string') return { skipped: record };
  const lists = record['listFields'];
  if (lists !== undefined && !isJsonObject(lists)) return { skipped: 'its "listFields" is not an object' };
  const keys = isJsonObject(lists) ? lists[SHARDING_KEYS_FIELD] : undefined;
  if (keys === undefined || keys === null) return { keys: [] };
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) return { skipped: `its list field "${SHARDING_KEYS_FIELD}" is not a list of strings` };
  return { keys: keys as string[] };
}

/** The routing ZK address in the routing data znode's data, if it holds Helix's record. */
export function decodeRoutingAddress(data: Buffer): string | undefined {
  const record = parseZnRecord(data);
  if (typeof record === 'string') return undefined;
  const lists = record['listFields'];
  const address = isJsonObject(lists) ? lists[ROUTING_ZK_ADDRESS_FIELD] : undefined;
  return Array.isArray(address) && typeof address[0] === 'string' ? address[0] : undefined;
}

/** The ZNRecord object in `data` (inflated when gzipped), or why there is none. */
function parseZnRecord(data: Buffer): Record<string, unknown> | string {
  if (data.length === 0) return 'its data is empty';
  let text: string;
  try {
    text = (data[0] === GZIP_MAGIC[0] && data[1] === GZIP_MAGIC[1] ? gunzipSync(data) : data).toString('utf8');
  } catch (error) {
    return `its gzip data is corrupt (${(error as Error).message})`;
  }
  try {
    const record: unknown = JSON.parse(text);
    return isJsonObject(record) ? (record as Record<string, unknown>) : 'it is not a ZNRecord (a JSON object)';
  } catch {
    return 'it is not JSON';
  }
}

/** A realm znode read as no realm, and why. */
export interface SkippedRealm {
  readonly path: string;
  readonly reason: string;
}

export interface RoutingZnodes {
  readonly data: RoutingData;
  /** The base znode's stat when read (its `version` is the directory's write counter). */
  readonly stat: ZkStat;
  /** The routing ZK address record's address, when the base holds one. */
  readonly address: string | undefined;
  /** Realm znodes that hold no ZNRecord, skipped as Helix skips them. */
  readonly skipped: readonly SkippedRealm[];
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
    const skipped: SkippedRealm[] = [];
    let address: string | undefined;
    try {
      address = decodeRoutingAddress((await client.getData(base, options)).data);
      const realms = await client.getChildren(base, options);
      await Promise.all(realms.map(async (realm) => {
        const path = `${base}/${realm}`;
        const decoded = decodeRealmRecord((await client.getData(path, options)).data);
        if ('keys' in decoded) record[realm] = decoded.keys;
        else skipped.push({ path, reason: decoded.skipped });
      }));
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) continue; // a realm or the base went away while reading
      throw error;
    }
    const after = await client.exists(base, options);
    if (after && after.version === before.version && after.cversion === before.cversion) {
      skipped.sort((a, b) => (a.path < b.path ? -1 : 1));
      return { data: RoutingData.from(record, { allowNoKeys: options.allowNoKeys ?? false }), stat: after, address, skipped };
    }
  }
  throw new StoreUnavailableError(`routing data under ${base} kept changing while being read (${SNAPSHOT_ATTEMPTS} attempts); try again`);
}
