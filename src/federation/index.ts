/** Federated ZooKeeper client and routing data (see DESIGN.md "Federation"). */
export { FederatedZkClient, DEFAULT_REALM_SESSION_TIMEOUT_MS, type FederatedZkClientOptions, type FederatedCreateMode } from './federated-zk-client.js';
export { RoutingData, isUnderPrefix, type RoutingRecord, type RealmShardingKeys, type RoutingDataOptions } from './routing-data.js';
export { RoutingTrie, type Route } from './routing-trie.js';
export { validateShardingKey, validateRealmName, isValidZkPath, MAX_REALM_NAME_LENGTH } from './sharding-key.js';
export { StaticRoutingSource, type RoutingSource } from './routing-source.js';
export { DirectoryRoutingSource, DEFAULT_DIRECTORY_TIMEOUT_MS, type DirectoryRoutingSourceOptions } from './directory-routing-source.js';
export { ZkRoutingSource, DEFAULT_ROUTING_ZK_SESSION_TIMEOUT_MS, type ZkRoutingSourceOptions } from './zk-routing-source.js';
export { ROUTING_DATA_PATH, SHARDING_KEYS_FIELD, ROUTING_ZK_ADDRESS_FIELD, encodeRealmRecord, encodeRoutingAddressRecord, decodeRealmRecord, readRoutingZnodes, type RealmRecord, type SkippedRealm } from './zk-routing-layout.js';
export { DEFAULT_ROUTING_REFRESH_INTERVAL_MS } from './routing-cache.js';
export type { RealmConnector } from './realm-pool.js';
