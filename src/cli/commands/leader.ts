import { whenAborted } from '../../async.js';
import { CLUSTER_LEADER_ELECTION } from '../../election/index.js';
import { runLeaderTransfer, TRANSFER_OPTIONS } from './leader-transfer.js';
import type { Backend, LeaderRecord } from '../../contract/contract.js';
import { isBatonError } from '../../errors.js';
import { UsageError, type Command } from '../command.js';
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

/** `baton leader [--watch]`: the current leader, once or on every change; `baton leader transfer`: move it. */
export const leaderCommand: Command = {
  name: 'leader',
  summary: 'Print the current cluster leader (with --watch: one line per change until Ctrl-C); "transfer" moves the leadership to another node',
  usage: 'baton leader [--watch] [--json] [--amoro [--amoro-cluster NAME]] [--config FILE] [config flags]\n       baton leader transfer [--to NODE] [--by NAME] [--timeout D] [--json] [config flags]',
  examples: [
    'baton leader --store sqlite:./.baton/baton.db',
    'baton leader --watch --json --store postgres://postgres@127.0.0.1/baton',
    'baton leader --amoro --store mysql://amoro@db/amoro   # an Amoro cluster\'s AMS leader (ha_lease)',
    'baton leader transfer --to node-2 --by alice --store postgres://postgres@127.0.0.1/baton   # node-2 leads the next term',
    'baton leader transfer --store sqlite:./.baton/baton.db   # any other live node leads the next term',
  ],
  exitCodes: [
    '0  done (also when there is no leader: it prints "no leader"); with --watch, stopped by Ctrl-C; transfer: a new term started (or --to NODE led already)',
    '1  the store is unreachable or refused, or holds no data of the cluster (unknown --cluster); transfer: nobody leads, --to names no live node or a draining one, no other node is live, or no new term within --timeout',
    '2  usage: unknown command or flag, bad value, invalid configuration',
  ],
  options: { watch: { type: 'boolean', help: 'Keep printing the leader whenever it changes, until SIGINT/SIGTERM' }, ...AMORO_OPTIONS, ...TRANSFER_OPTIONS },
  configFlags: true,
  positionals: true,
  usesConfig: [...READER_CONFIG, 'election.pollIntervalMs'],
  async run(values, positionals, io) {
    const [action, ...extra] = positionals;
    if (action === 'transfer' && extra.length === 0) return runLeaderTransfer(values, io);
    if (action !== undefined) throw new UsageError(`unknown leader action "${positionals.join(' ')}"; usage: ${this.usage}`);
    for (const flag of Object.keys(TRANSFER_OPTIONS)) if (values[flag] !== undefined) throw new UsageError(`--${flag} belongs to "baton leader transfer"`);
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
