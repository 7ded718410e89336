/**
 * Amoro's HA state in ZooKeeper, read-only (see amoro-ha.ts for the layout and its sources).
 */
import type { CallOptions } from '../contract/contract.js';
import { NotFoundError } from '../errors.js';
import type { ZkClient } from '../zk-client/zk-client.js';
import { isZkError } from '../zk-client/zookeeper-error.js';
import { parseServerInfo, type AmoroHaView, type AmoroServerInfo } from './amoro-ha.js';

/** Curator LeaderLatch's node name ends `latch-{sequence}` (after the protection prefix). */
const LATCH_MARK = 'latch-';

/** `/{cluster}/amoro/ams`: AmsHAProperties.getBasePath. */
export function amoroBasePath(cluster: string): string {
  return `/${cluster}/amoro/ams`;
}

/**
 * Steps: 1. list the leader latch (NotFoundError when Amoro never ran there); 2. the lowest
 * sequence leads, and its stat gives the owning session; 3. read the published addresses and
 * the registered nodes.
 */
export async function readAmoroZookeeperHa(client: ZkClient, cluster: string, options?: CallOptions): Promise<AmoroHaView> {
  const base = amoroBasePath(cluster);
  let latch: string[];
  try {
    latch = await client.getChildren(`${base}/leader`, options);
  } catch (error) {
    if (!isZkError(error, 'NO_NODE')) throw error;
    throw new NotFoundError(`${base}/leader`, `no Amoro HA state at ${base}/leader: check the Amoro cluster name (ha.cluster-name, default "default") and the ZooKeeper address`);
  }
  const ordered = latch.filter((name) => name.includes(LATCH_MARK)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
  const registered = await readNodes(client, `${base}/nodes`, options);
  const nodes = registered.map(({ key, info }) => ({ key, info, heartbeatAgeMs: null }));
  const first = ordered[0];
  const latchStat = first === undefined ? null : await client.exists(`${base}/leader/${first}`, options);
  if (first === undefined || latchStat === null) return { cluster, source: 'zookeeper', leader: null, candidates: ordered.length, nodes };
  const [table, optimizing] = await Promise.all([readInfo(client, `${base}/master`, options), readInfo(client, `${base}/optimizing-service-master`, options)]);
  // The published addresses are persistent znodes that outlive the leader that wrote them. In
  // master-slave mode the leader's own registration (same session as its latch node) tells
  // whether they are its: they must name its optimizing service. Otherwise they count only if
  // written after the leader joined the latch (a leader change between them goes unseen).
  const own = registered.find((n) => n.session !== null && n.session === latchStat.ephemeralOwner);
  const current = table !== null && (own !== undefined ? sameServer(own.info, optimizing?.info ?? null) : table.mtime >= latchStat.ctime);
  return {
    cluster,
    source: 'zookeeper',
    leader: {
      nodeId: first,
      tableService: current ? table.info : null,
      optimizingService: current && optimizing !== null ? optimizing.info : null,
      since: current ? table.mtime : null,
      leaseExpiresAt: null,
      leaseVersion: null,
      session: latchStat.ephemeralOwner,
    },
    candidates: ordered.length,
    nodes,
  };
}

function sequenceOf(name: string): number {
  return Number(name.slice(name.lastIndexOf(LATCH_MARK) + LATCH_MARK.length));
}

function sameServer(a: AmoroServerInfo | null, b: AmoroServerInfo | null): boolean {
  return a !== null && b !== null && a.host === b.host && a.thriftBindPort === b.thriftBindPort;
}

async function readInfo(client: ZkClient, path: string, options?: CallOptions): Promise<{ info: AmoroServerInfo | null; mtime: number; session: string | null } | null> {
  try {
    const { data, stat } = await client.getData(path, options);
    return { info: parseServerInfo(data.toString('utf8')), mtime: stat.mtime, session: stat.ephemeralOwner };
  } catch (error) {
    if (isZkError(error, 'NO_NODE')) return null;
    throw error;
  }
}

async function readNodes(client: ZkClient, path: string, options?: CallOptions): Promise<{ key: string; info: AmoroServerInfo | null; session: string | null }[]> {
  let names: string[];
  try {
    names = (await client.getChildren(path, options)).sort();
  } catch (error) {
    if (isZkError(error, 'NO_NODE')) return [];
    throw error;
  }
  const read = await Promise.all(names.map(async (key) => ({ key, found: await readInfo(client, `${path}/${key}`, options) })));
  return read.filter((n) => n.found !== null).map(({ key, found }) => ({ key, info: found?.info ?? null, session: found?.session ?? null }));
}
