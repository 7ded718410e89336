/**
 * The `amoro` stored layout of bucket assignments (`buckets.layout: amoro`): the same folders
 * as baton's own layout (assignment-layout.ts), kept where Apache Amoro's ZkBucketAssignStore
 * keeps them, so Amoro's AMS and tools read baton's assignments and baton reads an Amoro
 * cluster's:
 *
 *   /{amoroCluster}/amoro/ams/bucket-assignments/{host:port}/assignments
 *       persistent; JSON array of bucket id strings, compact: ["1","7"] (Jackson's output)
 *   /{amoroCluster}/amoro/ams/bucket-assignments/{host:port}/last-update-time
 *       persistent; epoch ms as decimal text: 1732968000000 (Java's String.valueOf(long))
 *
 * Both are plain JSON texts, so baton's ZooKeeper KV rooted at `/{amoroCluster}/amoro/ams`
 * (Backend.kvAtPath) reads and writes them byte for byte, with its versions and fenced writes:
 * the leader's writes carry its term exactly as in baton's own layout. Amoro reads an empty
 * znode as "no buckets" / time 0, which is also what baton's KV leaves when it deletes a key
 * (it empties the znode). The node key is `host:port` (Amoro's AmsServerInfo host and thrift
 * port), so a baton node in this layout must use that as its node id. Amoro's folder
 * `bucket-assignments` itself holds Curator's default data (the creating host's address);
 * readers ignore it (assignment-layout.ts). baton adds one znode per node folder,
 * `offline-grace`, which Amoro never reads.
 *
 * Only ZooKeeper can address these paths (they are outside baton's own root, and Amoro keeps
 * bucket assignments only in ZooKeeper), so any other store is refused with a ConfigError.
 */
import type { Backend } from '../contract/contract.js';
import { ConfigError } from '../errors.js';
import type { BucketsOptions } from './buckets-options.js';

/** Amoro's base path of one cluster (AmsHAProperties.getBasePath): `/{cluster}/amoro/ams`. */
export function amoroBasePath(amoroCluster: string): string {
  return `/${amoroCluster}/amoro/ams`;
}

/** Amoro's node key, `host:port` (ZkBucketAssignStore splits it at the one ":"; the port is an int). */
const AMORO_NODE_KEY = /^[^:/]+:\d{1,5}$/;

type LayoutChoice = Pick<BucketsOptions, 'layout' | 'amoroCluster'>;

/**
 * The backend whose `kv` holds the bucket assignments of `choice`: `backend` itself for baton's
 * layout; for Amoro's, the same backend with its KV rooted at Amoro's base path (members,
 * leaders and sessions stay baton's own). ConfigError when the store cannot hold Amoro's layout.
 */
export function assignmentStore(backend: Backend, choice: LayoutChoice | undefined): Backend {
  if (choice?.layout !== 'amoro') return backend;
  if (backend.kvAtPath === undefined) {
    throw new ConfigError(
      'buckets.layout',
      `"amoro" needs the ZooKeeper store (Amoro keeps bucket assignments only in ZooKeeper, at ${amoroBasePath(choice.amoroCluster)}/bucket-assignments); this store is ${backend.kind}: use buckets.layout "baton"`,
    );
  }
  const kv = backend.kvAtPath(amoroBasePath(choice.amoroCluster));
  return {
    kind: backend.kind,
    cluster: backend.cluster,
    kv,
    members: async (options) => backend.members(options),
    watchMembers: (listener, options) => backend.watchMembers(listener, options),
    leader: async (election, options) => backend.leader(election, options),
    watchLeader: (election, listener, options) => backend.watchLeader(election, listener, options),
    openSession: async (options) => backend.openSession(options),
    close: async () => backend.close(),
  };
}

/** ConfigError unless `nodeId` is an Amoro node key (`host:port`), as the `amoro` layout needs. */
export function checkAmoroNodeId(nodeId: string): void {
  if (!AMORO_NODE_KEY.test(nodeId)) {
    throw new ConfigError(
      'nodeId',
      `"${nodeId}" is not an Amoro node key: with buckets.layout "amoro" the node id names the node's folder in Amoro's layout, which Amoro reads as "host:port" (its host and thrift port), e.g. "10.0.0.5:1261"`,
    );
  }
}
