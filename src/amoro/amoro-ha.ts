/**
 * An Apache Amoro cluster's HA state as operators see it (`baton status --amoro`,
 * `baton leader --amoro`), read-only from where Amoro's AMS keeps it:
 *
 * - ZooKeeper (`ha.type: zk`, amoro-ams `ZkHighAvailabilityContainer`, paths from amoro-common
 *   `AmsHAProperties`, under `/{ha.cluster-name}/amoro/ams`): `leader` is a Curator LeaderLatch
 *   (ephemeral sequential `..latch-{seq}` children, the lowest sequence leads); the leader writes
 *   its table-service and optimizing-service addresses as AmsServerInfo JSON
 *   (`{"host","thriftBindPort","restBindPort"}`) into `master` and `optimizing-service-master`;
 *   nodes register as ephemeral sequential `nodes/node-{seq}` in master-slave mode.
 * - A database (`ha.type: database`, `DataBaseHighAvailabilityContainer`, table `ha_lease` of
 *   ams-mysql-init.sql / ams-postgres-init.sql): one row per (cluster_name, service_name); the
 *   `AMS` row is the lease (node_id, node_ip, server_info_json, lease_expire_ts in epoch ms,
 *   version); the `TABLE_SERVICE` and `OPTIMIZING_SERVICE` rows carry the leader's addresses;
 *   nodes heartbeat into `bucket_assignments` (node_key, server_info_json, node_heartbeat_ts).
 *
 * Nothing is ever written. Amoro judges lease expiry on its nodes' wall clocks; the reader
 * compares `lease_expire_ts` with the database server's clock, so the answer is as good as the
 * clocks' agreement (which Amoro itself assumes).
 */

/** Amoro's default `ha.cluster-name` (AmsHAProperties' NAMESPACE_DEFAULT). */
export const AMORO_DEFAULT_CLUSTER = 'default';

/** An AMS endpoint (amoro-common `AmsServerInfo`). */
export interface AmoroServerInfo {
  readonly host: string | null;
  readonly thriftBindPort: number | null;
  readonly restBindPort: number | null;
}

export interface AmoroLeader {
  /** The lease holder's node id (database: `host:port:uuid`), or the latch znode (ZooKeeper). */
  readonly nodeId: string | null;
  readonly tableService: AmoroServerInfo | null;
  readonly optimizingService: AmoroServerInfo | null;
  /** ZooKeeper: when the leader published its addresses (the `master` znode's mtime), epoch ms. */
  readonly since: number | null;
  /** Database: when the lease runs out (epoch ms, written by the leader's wall clock). */
  readonly leaseExpiresAt: number | null;
  /** Database: the lease row's optimistic-lock version (ZooKeeper: null). */
  readonly leaseVersion: number | null;
  /** ZooKeeper: the latch znode's owning session (16 hex digits). */
  readonly session: string | null;
}

export interface AmoroNode {
  /** `node-{seq}` (ZooKeeper) or `host:port` (database). */
  readonly key: string;
  readonly info: AmoroServerInfo | null;
  /** Database: ms since the node's last heartbeat, on the database clock (ZooKeeper: null, live by definition). */
  readonly heartbeatAgeMs: number | null;
}

export interface AmoroHaView {
  readonly cluster: string;
  readonly source: 'zookeeper' | 'database';
  readonly leader: AmoroLeader | null;
  /** Candidates in the leader latch (ZooKeeper; the database has no such list: null). */
  readonly candidates: number | null;
  readonly nodes: readonly AmoroNode[];
}

/** AmsServerInfo from its JSON text; null when absent or not that shape. */
export function parseServerInfo(text: unknown): AmoroServerInfo | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { host, thriftBindPort, restBindPort } = value as Record<string, unknown>;
  return {
    host: typeof host === 'string' ? host : null,
    thriftBindPort: typeof thriftBindPort === 'number' ? thriftBindPort : null,
    restBindPort: typeof restBindPort === 'number' ? restBindPort : null,
  };
}

/** `host:thriftPort` as Amoro prints an AmsServerInfo. */
export function serverInfoText(info: AmoroServerInfo | null): string {
  return info === null ? '?' : `${info.host ?? '?'}:${info.thriftBindPort ?? '?'}`;
}
