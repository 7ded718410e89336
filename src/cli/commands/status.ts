import type { Backend, LeaderRecord, Member } from '../../contract/contract.js';
import { CLUSTER_LEADER_ELECTION } from '../../election/index.js';
import type { Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { isoTime, json, portsText, table } from '../output.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';
import { AMORO_OPTIONS, runAmoroStatus, wantsAmoro } from './amoro-view.js';

/** The cluster view shared by `status` and `demo`. */
export interface ClusterView {
  readonly cluster: string;
  readonly leader: { nodeId: string; term: number; since: number; info: LeaderRecord['info'] } | null;
  readonly members: readonly { nodeId: string; sessionId: string; info: Member['info']; leader: boolean }[];
}

export async function readClusterView(backend: Backend): Promise<ClusterView> {
  const [members, leader] = await Promise.all([backend.members(), backend.leader(CLUSTER_LEADER_ELECTION)]);
  return {
    cluster: backend.cluster,
    leader: leader ? { nodeId: leader.nodeId, term: leader.term, since: leader.since, info: leader.info } : null,
    members: members.map((m) => ({ nodeId: m.nodeId, sessionId: m.sessionId, info: m.info, leader: m.nodeId === leader?.nodeId })),
  };
}

export function clusterTable(view: ClusterView): string {
  const head = view.leader
    ? `cluster ${view.cluster}: leader ${view.leader.nodeId}, term ${view.leader.term}, since ${isoTime(view.leader.since)}`
    : `cluster ${view.cluster}: no leader`;
  const rows = view.members.map((m) => [m.nodeId, String(m.info.host ?? ''), portsText(m.info.ports), String(m.info.zone ?? ''), m.leader ? 'leader' : 'follower']);
  return `${head}\n${table(['NODE', 'HOST', 'PORTS', 'ZONE', 'ROLE'], rows)}`;
}

/** `baton status`: the cluster as the store sees it (no node HTTP needed). */
export const statusCommand: Command = {
  name: 'status',
  summary: 'Show live members and the leader, read straight from the store',
  usage: 'baton status [--json] [--amoro [--amoro-cluster NAME]] [--config FILE] [config flags]',
  examples: [
    'baton status --store sqlite:./.baton/baton.db',
    'baton status --cluster shop --store postgres://postgres@127.0.0.1/baton --json',
    'baton status --amoro --store zookeeper://zk1:2181   # an Amoro cluster\'s AMS leader and nodes',
  ],
  options: { ...AMORO_OPTIONS },
  configFlags: true,
  usesConfig: [...READER_CONFIG],
  async run(values, _positionals, io) {
    if (wantsAmoro(values)) return runAmoroStatus(values, io);
    const { config } = configFromArgs(values, io);
    return withStoreReader(config, async (backend) => {
      const view = await readClusterView(backend);
      io.out(values.json === true ? json(view) : clusterTable(view));
      return 0;
    });
  },
};
