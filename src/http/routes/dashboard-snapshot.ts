/**
 * One snapshot of everything the dashboard shows, built by the serving node: members with what
 * each says about itself (`GET /node` on its own API), the leader and the leadership history,
 * buckets with the grace left for vanished nodes, every partitioned resource, and the operator's
 * verbs (maintenance, pending requests, the newest actions).
 */
import type { FastifyInstance } from 'fastify';
import type { JsonObject } from '../../contract/json.js';
import { CLUSTER_LEADER_ELECTION } from '../../election/index.js';
import { memberUrl } from '../member-url.js';
import type { NodeView } from '../node-view.js';
import type { LeaderChange, LeaderHistory } from './leader-history.js';
import { nodeStatusOf, type NodeStatus } from './node-status.js';

/** How long the serving node waits for a member's `GET /node` (ms): a frozen member must not stall the page. */
const PEER_TIMEOUT_MS = 800;

export interface DashboardSnapshot {
  /** When it was built, wall clock epoch ms (display only). */
  readonly time: number;
  readonly cluster: string;
  readonly self: NodeStatus;
  readonly leader: { readonly nodeId: string; readonly term: number; readonly since: number } | null;
  readonly members: readonly {
    readonly nodeId: string;
    readonly url: string | null;
    readonly leader: boolean;
    readonly info: JsonObject;
    /** What the member says about itself; null when it did not answer in time. */
    readonly status: NodeStatus | null;
  }[];
  readonly history: readonly LeaderChange[];
  readonly buckets: unknown;
  readonly resources: readonly unknown[];
  /** GET /operations with only the newest DASHBOARD_ACTIONS actions (newest first). */
  readonly operations: unknown;
}

/** How many of the newest operator actions the dashboard lists. */
const DASHBOARD_ACTIONS = 10;

export async function buildSnapshot(app: FastifyInstance, node: NodeView, history: LeaderHistory): Promise<DashboardSnapshot> {
  const [members, leader, buckets, resources, operations] = await Promise.all([
    node.backend.members(),
    node.backend.leader(CLUSTER_LEADER_ELECTION),
    injected(app, '/buckets'),
    Promise.all(Object.keys(node.config.partitions ?? {}).map((name) => injected(app, `/resources/${encodeURIComponent(name)}`))),
    injected(app, '/operations'),
  ]);
  const rows = await Promise.all(members.map(async (m) => {
    const url = memberUrl(m.info);
    const status = m.nodeId === node.nodeId ? nodeStatusOf(node) : url ? await peerStatus(url) : null;
    return { nodeId: m.nodeId, url, leader: m.nodeId === leader?.nodeId, info: m.info, status };
  }));
  const graceMs = node.config.buckets?.offlineGraceMs ?? null;
  return {
    time: Date.now(),
    cluster: node.config.cluster,
    self: nodeStatusOf(node),
    leader: leader ? { nodeId: leader.nodeId, term: leader.term, since: leader.since } : null,
    members: rows,
    history: history.changes(),
    buckets: withGraceLeft(buckets, graceMs),
    resources: resources.filter((r) => r !== null),
    operations: operations === null ? null : { ...operations, actions: (operations.actions as unknown[]).slice(-DASHBOARD_ACTIONS).reverse() },
  };
}

/** A route's JSON reply, asked in process; null unless 200. */
async function injected(app: FastifyInstance, url: string): Promise<JsonObject | null> {
  const reply = await app.inject({ method: 'GET', url });
  return reply.statusCode === 200 ? (reply.json() as JsonObject) : null;
}

async function peerStatus(url: string): Promise<NodeStatus | null> {
  try {
    const reply = await fetch(`${url}/node`, { signal: AbortSignal.timeout(PEER_TIMEOUT_MS) });
    return reply.ok ? ((await reply.json()) as NodeStatus) : null;
  } catch {
    return null;
  }
}

/** `/buckets` with `graceLeftMs` for each node in grace (the offline grace minus what is used). */
function withGraceLeft(buckets: JsonObject | null, graceMs: number | null): unknown {
  if (buckets === null || !Array.isArray(buckets.nodes)) return buckets;
  const nodes = (buckets.nodes as JsonObject[]).map((n) => ({
    ...n,
    graceLeftMs: n.state === 'grace' && graceMs !== null && typeof n.graceElapsedMs === 'number' ? Math.max(0, graceMs - n.graceElapsedMs) : null,
  }));
  return { ...buckets, offlineGraceMs: graceMs, nodes };
}
