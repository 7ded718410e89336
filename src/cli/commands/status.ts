import { existsSync } from 'node:fs';
import type { Backend, LeaderRecord, Member } from '../../backend/contract.js';
import { parseStoreUrl } from '../../backends/open-store.js';
import { systemClock } from '../../clock.js';
import { CLUSTER_LEADER_ELECTION } from '../../election/index.js';
import { openWithRetry, openConfiguredStore } from '../../node/open-backend.js';
import { createNodeLogger } from '../../node/logger.js';
import type { BatonConfig } from '../../config/types.js';
import { UsageError, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { isoTime, json, portsText, table } from '../output.js';

/**
 * Opens the configured store for a read-only CLI command (no session). A SQLite file must
 * exist unless `create` is set (the demo creates its own).
 */
export async function openForReading(config: BatonConfig, { create = false }: { create?: boolean } = {}): Promise<Backend> {
  if (config.store.url === 'none') throw new UsageError('store "none" lives inside one node process; point --store at the store the nodes use');
  const target = parseStoreUrl(config.store.url);
  // Reading must not create an empty database where a typo points: say so instead.
  if (target.kind === 'sqlite' && !create && !existsSync(target.display)) {
    throw new UsageError(`no SQLite store at ${target.display}; check --store, or start a node first`);
  }
  const quiet = createNodeLogger({ ...config, log: { level: 'silent' } });
  return openWithRetry(openConfiguredStore, config, systemClock, quiet);
}

/**
 * Runs `read` against the configured store opened for reading, and closes the store whatever
 * `read` does: the one shape of every read-only CLI command.
 */
export async function withStoreReader<T>(config: BatonConfig, read: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await openForReading(config);
  try {
    return await read(backend);
  } finally {
    await backend.close();
  }
}

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
  usage: 'baton status [--json] [--config FILE] [config flags]',
  examples: ['baton status --store sqlite:./.baton/baton.db', 'baton status --cluster shop --store postgres://postgres@127.0.0.1/baton --json'],
  options: {},
  configFlags: true,
  async run(values, _positionals, io) {
    const { config } = configFromArgs(values, io);
    return withStoreReader(config, async (backend) => {
      const view = await readClusterView(backend);
      io.out(values.json === true ? json(view) : clusterTable(view));
      return 0;
    });
  },
};
