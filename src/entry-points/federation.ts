/**
 * `baton-cluster/federation`: one ZooKeeper client over several realms, routed by sharding key
 * (DESIGN.md "Federation", docs/federation.md); where its routing data comes from (static,
 * the directory service, a routing ZooKeeper); the directory service and its client; the
 * ZooKeeper credentials they take. Needs the optional peer dependency node-zookeeper-client.
 */
export { FederatedZkClient, type FederatedCreateMode, type FederatedZkClientOptions } from '../federation/federated-zk-client.js';
export { RoutingData, type RealmShardingKeys, type RoutingDataOptions, type RoutingRecord } from '../federation/routing-data.js';
export type { Route } from '../federation/routing-trie.js';
export { StaticRoutingSource, type RoutingSource } from '../federation/routing-source.js';
export { DirectoryRoutingSource, type DirectoryRoutingSourceOptions } from '../federation/directory-routing-source.js';
export { ZkRoutingSource, type ZkRoutingSourceOptions } from '../federation/zk-routing-source.js';
export { startDirectoryServer, type DirectoryNamespaceConfig, type DirectoryServer, type DirectoryServerOptions } from '../directory/directory-server.js';
export { DirectoryClient, type DirectoryClientOptions } from '../directory/directory-client.js';
export { ZkDigest, type ZkAcl } from '../zk-client/zk-acl.js';
export { loadZkAcl, type ZkAclSource } from '../zk-client/zk-acl-source.js';
export type { CreateOptions, WatchCallOptions, ZkCallOptions, ZkCreateMode, ZkOp, ZkOpResult } from '../zk-client/zk-client.js';
export type { ZkStat } from '../zk-client/zk-stat.js';
export type { ZkEvent, ZkWatcher } from '../zk-client/zk-watch-registry.js';
export type { WriteMode } from '../write-guard.js';
