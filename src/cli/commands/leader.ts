import { whenAborted } from '../../async.js';
import { CLUSTER_LEADER_ELECTION } from '../../election/index.js';
import type { Backend, LeaderRecord } from '../../contract/contract.js';
import { isBatonError } from '../../errors.js';
import type { Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { isoTime, json, portsText } from '../output.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';
import { runAmoroLeader, wantsAmoro, AMORO_OPTIONS } from './amoro-view.js';

function leaderLine(leader: LeaderRecord | null, asJson: boolean): string {
  const shape = leader ? { nodeId: leader.nodeId, term: leader.term, since: leader.since, info: leader.info } : null;
  if (asJson) return json(shape);
  if (!leader) return 'no leader';
  return `${leader.nodeId}  term ${leader.term}  since ${isoTime(leader.since)}  ${String(leader.info.host ?? '')} ${portsText(leader.info.ports)}`.trimEnd();
}

/** `baton leader [--watch]`: the current leader, once or on every change. */
export const leaderCommand: Command = {
  name: 'leader',
  summary: 'Print the current cluster leader (with --watch: one line per change until Ctrl-C)',
  usage: 'baton leader [--watch] [--json] [--amoro [--amoro-cluster NAME]] [--config FILE] [config flags]',
  examples: [
    'baton leader --store sqlite:./.baton/baton.db',
    'baton leader --watch --json --store postgres://postgres@127.0.0.1/baton',
    'baton leader --amoro --store mysql://amoro@db/amoro   # an Amoro cluster\'s AMS leader (ha_lease)',
  ],
  exitCodes: [
    '0  done (also when there is no leader: it prints "no leader"); with --watch, stopped by Ctrl-C',
    '1  the store is unreachable or refused, or holds no data of the cluster (unknown --cluster)',
    '2  usage: unknown command or flag, bad value, invalid configuration',
  ],
  options: { watch: { type: 'boolean', help: 'Keep printing the leader whenever it changes, until SIGINT/SIGTERM' }, ...AMORO_OPTIONS },
  configFlags: true,
  usesConfig: [...READER_CONFIG, 'election.pollIntervalMs'],
  async run(values, _positionals, io) {
    if (wantsAmoro(values)) return runAmoroLeader(values, io);
    const { config } = configFromArgs(values, io);
    const asJson = values.json === true;
    return withStoreReader(config, async (backend) => {
      if (values.watch !== true) {
        io.out(leaderLine(await backend.leader(CLUSTER_LEADER_ELECTION), asJson));
        return 0;
      }
      await watchLeader(backend, (line) => io.out(line), asJson);
      return 0;
    });
  },
};

/** Prints the leader now and after every change, until SIGINT or SIGTERM. */
async function watchLeader(backend: Backend, print: (line: string) => void, asJson: boolean): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let last = '';
  let reading = Promise.resolve();
  // Reads are chained so lines come out in order; a change during a read triggers one more read.
  const check = () => {
    reading = reading.then(async () => {
      if (stop.signal.aborted) return;
      const line = leaderLine(await backend.leader(CLUSTER_LEADER_ELECTION), asJson);
      if (line !== last) print(line);
      last = line;
    }).catch((error: unknown) => print(asJson ? json({ error: { command: 'leader', code: isBatonError(error) ? error.code : 'ERROR', message: (error as Error).message } }) : `error: ${(error as Error).message}`));
  };
  try {
    backend.watchLeader(CLUSTER_LEADER_ELECTION, check, { signal: stop.signal });
    check();
    await whenAborted(stop.signal);
    await reading;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
