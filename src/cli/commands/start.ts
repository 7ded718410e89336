import { createNode } from '../../http/start-node.js';
import type { Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { reportError } from '../report-error.js';

/**
 * `baton start`: runs a node until SIGTERM or SIGINT. The first signal closes it gracefully
 * (releases the lease and membership at once, so a successor takes over without waiting for
 * the TTL); a second signal exits at once.
 */
export const startCommand: Command = {
  name: 'start',
  summary: 'Run a baton node (HTTP API, membership, leader election) until SIGTERM or Ctrl-C',
  usage: 'baton start [--config FILE] [config flags]',
  examples: [
    'baton start --store sqlite:./.baton/baton.db --http-port 7401 --node-id node-1',
    'BATON_STORE=postgres://postgres@127.0.0.1/baton baton start --config baton.yaml',
  ],
  exitCodes: [
    '0  stopped gracefully by SIGTERM or Ctrl-C',
    '1  the node could not start (store unreachable after store.connectAttempts, refused by the store, its driver package not installed, HTTP port taken) or stopped on an error; or a second signal',
    '2  usage: unknown command or flag, bad value, invalid configuration',
  ],
  options: {},
  configFlags: true,
  async run(values, _positionals, io) {
    const { config, warnings } = configFromArgs(values, io);
    const node = createNode(config);
    for (const warning of warnings) node.logger.warn({ reason: 'config' }, warning);
    let signals = 0;
    let starting = true;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals += 1;
      if (signals > 1) {
        node.logger.warn({ reason: signal }, 'second signal: exiting at once');
        process.exit(1);
      }
      node.logger.info({ reason: signal }, 'closing gracefully (send the signal again to exit at once)');
      if (!starting) void node.close();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      try {
        await node.start();
      } catch (error) {
        return reportError('start', error, io);
      }
      starting = false;
      if (signals > 0) void node.close();
      const failure = await node.done;
      if (failure !== null) return reportError('start', failure, io);
      return 0;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};
