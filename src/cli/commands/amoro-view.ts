/**
 * `baton status --amoro` and `baton leader --amoro`: an Apache Amoro cluster's HA state, read
 * from the store its AMS nodes use (`--store zookeeper://...`, `mysql://...` or `postgres://...`),
 * for operators who run Amoro beside baton. Read-only.
 */
import { AMORO_DEFAULT_CLUSTER, serverInfoText, type AmoroHaView, type AmoroLeader } from '../../amoro/amoro-ha.js';
import { readAmoroHa } from '../../amoro/read-amoro-ha.js';
import { UsageError, type CliIo, type CommandOptions } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { isoTime, json, table } from '../output.js';

/** The flags `status` and `leader` take for an Amoro cluster. */
export const AMORO_OPTIONS: CommandOptions = {
  amoro: { type: 'boolean', help: 'Read an Apache Amoro cluster\'s HA state from --store (its ZooKeeper leader latch, or its ha_lease table on MySQL/PostgreSQL) instead of baton\'s; read-only' },
  'amoro-cluster': { type: 'string', value: 'name', help: `The Amoro cluster (its ha.cluster-name; default "${AMORO_DEFAULT_CLUSTER}"); implies --amoro` },
};

/** Whether the command was asked about an Amoro cluster. */
export function wantsAmoro(values: Readonly<Record<string, unknown>>): boolean {
  return values.amoro === true || typeof values['amoro-cluster'] === 'string';
}

async function readView(values: Readonly<Record<string, unknown>>, io: CliIo): Promise<AmoroHaView> {
  const cluster = typeof values['amoro-cluster'] === 'string' ? values['amoro-cluster'] : AMORO_DEFAULT_CLUSTER;
  if (cluster === '' || cluster.includes('/')) throw new UsageError(`--amoro-cluster "${cluster}" is not an Amoro cluster name (ha.cluster-name)`);
  const { config } = configFromArgs(values, io);
  return readAmoroHa(config.store.url, cluster);
}

function leaderText(leader: AmoroLeader | null): string {
  if (leader === null) return 'no leader';
  const rest = leader.tableService?.restBindPort;
  const parts = [
    `table service ${serverInfoText(leader.tableService)}`,
    `optimizing service ${serverInfoText(leader.optimizingService)}`,
    ...(rest === null || rest === undefined ? [] : [`rest ${rest}`]),
    ...(leader.nodeId === null ? [] : [`node ${leader.nodeId}`]),
    ...(leader.since === null ? [] : [`since ${isoTime(leader.since)}`]),
    ...(leader.leaseExpiresAt === null ? [] : [`lease until ${isoTime(leader.leaseExpiresAt)}`]),
  ];
  return parts.join('  ');
}

/** `baton status --amoro`: the leader, then the registered nodes. */
export async function runAmoroStatus(values: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const view = await readView(values, io);
  if (values.json === true) {
    io.out(json(view));
    return 0;
  }
  const head = `amoro cluster ${view.cluster} (${view.source}): ${view.leader === null ? 'no leader' : `leader ${leaderText(view.leader)}`}${view.candidates === null ? '' : `, ${view.candidates} in the leader latch`}`;
  const rows = view.nodes.map((n) => [n.key, n.info?.host ?? '', String(n.info?.thriftBindPort ?? ''), String(n.info?.restBindPort ?? ''), n.heartbeatAgeMs === null ? '' : `${n.heartbeatAgeMs} ms`]);
  io.out(rows.length === 0 ? head : `${head}\n${table(['NODE', 'HOST', 'THRIFT', 'REST', 'HEARTBEAT AGE'], rows)}`);
  return 0;
}

/** `baton leader --amoro`: one line (or one JSON document) about the leader. */
export async function runAmoroLeader(values: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  if (values.watch === true) throw new UsageError('--watch reads baton\'s own clusters; for an Amoro cluster run "baton leader --amoro" again');
  const view = await readView(values, io);
  io.out(values.json === true ? json(view.leader) : leaderText(view.leader));
  return 0;
}
