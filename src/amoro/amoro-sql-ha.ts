/**
 * Amoro's HA state in its database (MySQL or PostgreSQL), read-only (see amoro-ha.ts for the
 * tables and their sources). Only SELECTs: nothing is created or written.
 */
import { NotFoundError } from '../errors.js';
import type { SqlDialect, SqlExecutor } from '../backends/sql/dialect.js';
import { tableColumns } from '../backends/sql/table-shape.js';
import { parseServerInfo, type AmoroHaView, type AmoroNode } from './amoro-ha.js';

/** Amoro's lease table and the service names of its rows (DataBaseHighAvailabilityContainer). */
const LEASE_TABLE = 'ha_lease';
const NODES_TABLE = 'bucket_assignments';
const AMS_SERVICE = 'AMS';
const TABLE_SERVICE = 'TABLE_SERVICE';
const OPTIMIZING_SERVICE = 'OPTIMIZING_SERVICE';

/**
 * Steps: 1. the lease table must exist (NotFoundError otherwise); 2. read the cluster's rows with
 * the database's clock; 3. the AMS row leads while its lease_expire_ts is ahead of that clock;
 * 4. list the nodes' heartbeats when the table exists.
 */
export async function readAmoroDatabaseHa(executor: SqlExecutor, dialect: SqlDialect, cluster: string): Promise<AmoroHaView> {
  if ((await tableColumns(executor, dialect, LEASE_TABLE)).length === 0) {
    throw new NotFoundError(LEASE_TABLE, `no Amoro HA table "${LEASE_TABLE}" in this database: Amoro creates it when ha.type is database (check --store)`);
  }
  const { rows } = await executor.run(
    `SELECT service_name, node_id, node_ip, server_info_json, lease_expire_ts, version, ${dialect.nowMs} AS now_ms FROM ${LEASE_TABLE} WHERE cluster_name = ?`,
    [cluster],
  );
  const byService = new Map(rows.map((r) => [String(r['service_name']), r]));
  const lease = byService.get(AMS_SERVICE);
  const now = Number(rows[0]?.['now_ms']);
  const expiresAt = lease?.['lease_expire_ts'] === null || lease?.['lease_expire_ts'] === undefined ? null : Number(lease['lease_expire_ts']);
  const leading = lease !== undefined && expiresAt !== null && expiresAt > now;
  const nodes = await readNodes(executor, dialect, cluster);
  return {
    cluster,
    source: 'database',
    leader: leading
      ? {
          nodeId: lease['node_id'] === null ? null : String(lease['node_id']),
          tableService: parseServerInfo(byService.get(TABLE_SERVICE)?.['server_info_json']) ?? parseServerInfo(lease['server_info_json']),
          optimizingService: parseServerInfo(byService.get(OPTIMIZING_SERVICE)?.['server_info_json']),
          since: null,
          leaseExpiresAt: expiresAt,
          leaseVersion: Number(lease['version']),
          session: null,
        }
      : null,
    candidates: null,
    nodes,
  };
}

async function readNodes(executor: SqlExecutor, dialect: SqlDialect, cluster: string): Promise<AmoroNode[]> {
  if ((await tableColumns(executor, dialect, NODES_TABLE)).length === 0) return [];
  const { rows } = await executor.run(
    `SELECT node_key, server_info_json, node_heartbeat_ts, ${dialect.nowMs} AS now_ms FROM ${NODES_TABLE} WHERE cluster_name = ? ORDER BY node_key`,
    [cluster],
  );
  return rows.map((r) => ({
    key: String(r['node_key']),
    info: parseServerInfo(r['server_info_json']),
    heartbeatAgeMs: Math.max(0, Number(r['now_ms']) - Number(r['node_heartbeat_ts'])),
  }));
}
