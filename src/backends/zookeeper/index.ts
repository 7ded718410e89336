/**
 * The ZooKeeper backend and baton's ZooKeeper client wrapper (reusable on its own, e.g. by the
 * federated client).
 */
export { createZookeeperBackend, type ZookeeperBackendOptions } from './zookeeper-backend.js';
export { parseZookeeperUrl, normalizeConnect, normalizeChroot, redactUserinfo, type ZookeeperAddress } from '../../zk-client/connect-string.js';
export {
  ZkClient,
  type ZkClientOptions,
  type ZkClientState,
  type ZkCreateMode,
  type ZkEvent,
  type ZkWatcher,
  type ZkOp,
  type ZkOpResult,
  type ZkStat,
  type CreateOptions,
  type WatchCallOptions,
} from '../../zk-client/zk-client.js';
export { ZooKeeperError, isZkError, zkCodeName, type ZkCode } from '../../zk-client/zookeeper-error.js';
export { ZkLayout } from './zk-layout.js';
export { ZkDigest, type ZkAcl } from '../../zk-client/zk-acl.js';
export { loadZkAcl, parseAclQuery, type ZkAclSource } from '../../zk-client/zk-acl-source.js';
