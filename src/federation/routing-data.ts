/**
 * Routing data: which realm holds which sharding keys. One immutable value, validated once when
 * built, shared by the federated client (static maps, directory responses, routing ZooKeeper)
 * and the directory service (every write). See DESIGN.md "Federation".
 */
import { InvalidRoutingDataError } from '../errors.js';
import { isJsonObject } from '../contract/json.js';
import { RoutingTrie, type Route } from './routing-trie.js';
import { validateRealmName, validateShardingKey } from './sharding-key.js';

/** Routing data as plain JSON: realm -> its sharding keys (Helix's `PUT /routing-data` body). */
export type RoutingRecord = Readonly<Record<string, readonly string[]>>;

/** One realm and its keys, as Helix's directory lists them in `GET /routing-data`. */
export interface RealmShardingKeys {
  readonly realm: string;
  readonly shardingKeys: readonly string[];
}

export interface RoutingDataOptions {
  /**
   * Accept routing data without any sharding key (default false). The directory allows it
   * while realms are being set up; a client needs at least one key to route anything.
   */
  readonly allowNoKeys?: boolean;
}

/**
 * Validated, immutable routing data with a segment trie for lookups.
 *
 * @example
 * const routing = RoutingData.from({ 'zk-a:2181': ['/orders'], 'zk-b:2181': ['/users'] });
 * routing.lookup('/orders/17').realm; // 'zk-a:2181'
 */
export class RoutingData {
  readonly #keysByRealm: ReadonlyMap<string, readonly string[]>;
  readonly #trie: RoutingTrie;

  private constructor(keysByRealm: ReadonlyMap<string, readonly string[]>, trie: RoutingTrie) {
    this.#keysByRealm = keysByRealm;
    this.#trie = trie;
  }

  /**
   * Validates `input` (a {@link RoutingRecord} or a Map of the same) and builds routing data.
   * Throws InvalidRoutingDataError naming the bad realm or key (and the key it conflicts with).
   *
   * Steps: 1. the input is an object of arrays; 2. every realm name and key is valid on its
   * own; 3. inserting every key into one trie finds duplicates and nested keys, across realms
   * too; 4. the key "/" stands only alone: one realm with that one key (Helix's
   * `TrieRoutingData` refuses "/" next to any other realm, even one without keys); 5. unless
   * allowed, at least one key exists.
   */
  static from(input: unknown, options: RoutingDataOptions = {}): RoutingData {
    const entries = entriesOf(input);
    const trie = new RoutingTrie();
    const keysByRealm = new Map<string, readonly string[]>();
    for (const [realm, keys] of entries) {
      validateRealmName(realm);
      if (!Array.isArray(keys)) {
        throw new InvalidRoutingDataError(realm, `the sharding keys of realm "${realm}" must be an array of strings`);
      }
      for (const key of keys) trie.insert(validateShardingKey(key), realm);
      keysByRealm.set(realm, Object.freeze([...(keys as string[])].sort()));
    }
    const rootRealm = trie.size === 1 ? [...keysByRealm].find(([, keys]) => keys[0] === '/')?.[0] : undefined;
    if (rootRealm !== undefined && keysByRealm.size > 1) {
      const other = [...keysByRealm.keys()].find((realm) => realm !== rootRealm) as string;
      throw new InvalidRoutingDataError(
        other,
        `sharding key "/" (realm "${rootRealm}") must be the only key of the only realm, but realm "${other}" is present too (Helix refuses "/" next to any other realm, even one without keys)`,
        '/',
      );
    }
    if (trie.size === 0 && options.allowNoKeys !== true) {
      throw new InvalidRoutingDataError('', 'routing data has no sharding key; give at least one realm at least one key');
    }
    return new RoutingData(keysByRealm, trie);
  }

  /** Builds routing data from Helix's list shape (`routingData` of `GET /routing-data`). */
  static fromRealmList(list: readonly RealmShardingKeys[], options?: RoutingDataOptions): RoutingData {
    const record: Record<string, readonly string[]> = {};
    for (const item of list) {
      const realm = item.realm;
      if (typeof realm !== 'string') throw new InvalidRoutingDataError(String(realm), 'every routing data entry needs a "realm" string');
      if (Object.hasOwn(record, realm)) throw new InvalidRoutingDataError(realm, `realm "${realm}" is listed twice`);
      record[realm] = item.shardingKeys;
    }
    return RoutingData.from(record, options);
  }

  /** Realm names, sorted. */
  get realms(): string[] {
    return [...this.#keysByRealm.keys()].sort();
  }

  /** How many sharding keys there are in all realms. */
  get keyCount(): number {
    return this.#trie.size;
  }

  /** The sorted sharding keys of `realm`, or undefined when there is no such realm. */
  shardingKeys(realm: string): readonly string[] | undefined {
    return this.#keysByRealm.get(realm);
  }

  /** Every sharding key with its realm, sorted by key. */
  routes(): Route[] {
    const all: Route[] = [];
    for (const [realm, keys] of this.#keysByRealm) for (const shardingKey of keys) all.push({ realm, shardingKey });
    return all.sort((a, b) => (a.shardingKey < b.shardingKey ? -1 : a.shardingKey > b.shardingKey ? 1 : 0));
  }

  /**
   * The keys at or under `prefix` (a valid ZooKeeper path), sorted by key: Helix's
   * `getAllMappingUnderPath`. A prefix below a sharding key has none (Helix answers an empty
   * map there: the prefix's longest trie match is the key, whose path differs from it).
   */
  keysUnder(prefix: string): Route[] {
    return this.routes().filter((route) => isUnderPrefix(route.shardingKey, prefix));
  }

  /** The realm and key of `path`; throws RoutingError naming the path when it has none. */
  lookup(path: string): Route {
    return this.#trie.lookup(path);
  }

  /** Like {@link lookup}, returning the reason instead of throwing a RoutingError. */
  tryLookup(path: string): Route | 'NO_KEY' | 'PREFIX_OF_KEY' {
    return this.#trie.tryLookup(path);
  }

  /** Plain JSON: realm -> sorted keys, realms sorted. */
  toRecord(): Record<string, string[]> {
    const record: Record<string, string[]> = {};
    for (const realm of this.realms) record[realm] = [...(this.#keysByRealm.get(realm) ?? [])];
    return record;
  }

  /** Helix's list shape, realms sorted. */
  toRealmList(): RealmShardingKeys[] {
    return this.realms.map((realm) => ({ realm, shardingKeys: [...(this.#keysByRealm.get(realm) ?? [])] }));
  }

  /** True when both hold the same realms with the same keys. */
  equals(other: RoutingData): boolean {
    return JSON.stringify(this.toRecord()) === JSON.stringify(other.toRecord());
  }
}

function entriesOf(input: unknown): [string, unknown][] {
  if (input instanceof Map) return [...(input as Map<unknown, unknown>)].map(([k, v]) => [String(k), v]);
  if (!isJsonObject(input)) {
    throw new InvalidRoutingDataError('', 'routing data must be an object mapping each realm to an array of sharding keys');
  }
  return Object.entries(input as Record<string, unknown>);
}

/**
 * True when `key` is `prefix` or lies under it on segment boundaries (every key lies under "/").
 * Used by the directory's `?prefix=` queries.
 */
export function isUnderPrefix(key: string, prefix: string): boolean {
  if (prefix === '/' || key === prefix) return true;
  return key.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}
