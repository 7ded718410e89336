import { createNode } from '../../http/start-node.js';
import type { Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { reportError } from '../report-error.js';

/**
 * `baton start`: runs a node until SIGTERM or SIGINT. The first signal drains it (hands its
 * leadership and items to other live nodes through the two-step handoff, for at most
 * `drain.onStopMs`; 0: no drain), then closes it gracefully (releases the lease and membership
 * at once, so a successor takes over without waiting for the TTL); a second signal exits at once.
 */
export const startCommand: Command = {
  name: 'start',
  summary: 'Run a baton node (HTTP API, membership, leader election) until SIGTERM or Ctrl-C (it drains first, drain.onStopMs)',
  usage: 'baton start [--config FILE] [config flags]',
  examples: [
    'baton start --store sqlite:./.baton/baton.db --http-port 7401 --node-id node-1',
    'BATON_STORE=postgres://postgres@127.0.0.1/baton baton start --config baton.yaml',
  ],
  exitCodes: [
    '0  stopped gracefully by SIGTERM or Ctrl-C (after draining, for at most drain.onStopMs)',
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
      node.logger.info({ reason: signal }, 'stopping: draining, then closing gracefully (send the signal again to exit at once)');
      if (!starting) void stop(signal);
    };
    const stop = async (signal: string): Promise<void> => {
      const drainMs = config.drain.onStopMs;
      if (drainMs > 0) {
        try {
          const { drained, stalled, holding } = await node.drain({ timeoutMs: drainMs, by: `${config.nodeId} (${signal})`, reason: `stopping on ${signal}` });
          if (drained) node.logger.info({ reason: 'drained' }, 'drained: holds nothing; closing');
          else if (stalled) node.logger.info({ reason: 'drain stalled', holding }, 'no other live node takes over (all draining or none left); closing');
          else node.logger.warn({ reason: 'drain timeout', holding }, 'drain not done after drain.onStopMs (%d ms); closing anyway', drainMs);
        } catch (error) {
          node.logger.warn({ err: error, reason: 'drain failed' }, 'drain failed; closing anyway');
        }
      }
      await node.close();
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
      if (signals > 0) void stop('signal during start');
      const failure = await node.done;
      if (failure !== null) return reportError('start', failure, io);
      return 0;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  },
};
