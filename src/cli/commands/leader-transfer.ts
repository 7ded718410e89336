/** `baton leader transfer [--to NODE]`: move the cluster leadership now, to a new term. */
import { systemClock } from '../../clock.js';
import { transferLeadership, type TransferOutcome } from '../../election/index.js';
import { operatorName } from '../../operations/index.js';
import { OPERATOR_OPTION, type CliIo, type CommandOptions } from '../command.js';
import { parseDuration } from '../duration.js';
import { configFromArgs } from '../config-args.js';
import { json } from '../output.js';
import { withStoreReader } from '../store-reader.js';

/**
 * How long the CLI waits for the new term by default, ms. A transfer takes one handoff when the
 * target is live (the old leader's wait for the others to stand by, at most one retry period, and
 * its term's end); 30 s is two default TTLs, room for a loaded store and a fallback election.
 */
export const DEFAULT_TRANSFER_TIMEOUT_MS = 30_000;

export const TRANSFER_OPTIONS: CommandOptions = {
  to: { type: 'string', value: 'NODE', help: 'transfer: the live node to lead next (default: any other live node)' },
  by: OPERATOR_OPTION,
  timeout: { type: 'string', value: 'D', help: `transfer: how long to wait for the new term (\`30s\`, \`2m\`, \`500ms\`; a bare number is seconds); default ${DEFAULT_TRANSFER_TIMEOUT_MS / 1000}s` },
};

function timeoutOf(values: Readonly<Record<string, unknown>>): number {
  return values.timeout === undefined ? DEFAULT_TRANSFER_TIMEOUT_MS : parseDuration('timeout', String(values.timeout));
}

function outcomeText(outcome: TransferOutcome): string {
  if (!outcome.moved) return `${outcome.leader.nodeId} leads already (term ${outcome.leader.term}); nothing to transfer`;
  const asked = outcome.to === null || outcome.to === outcome.leader.nodeId ? '' : ` (asked for ${outcome.to}: it did not take the leadership in time, a normal election chose)`;
  return `leadership moved: ${outcome.from.nodeId} (term ${outcome.from.term}) -> ${outcome.leader.nodeId} (term ${outcome.leader.term})${asked}`;
}

export async function runLeaderTransfer(values: Readonly<Record<string, unknown>>, io: CliIo): Promise<number> {
  const { config } = configFromArgs(values, io);
  const waitMs = timeoutOf(values);
  const to = typeof values.to === 'string' ? values.to : undefined;
  const by = operatorName(typeof values.by === 'string' ? values.by : undefined);
  return withStoreReader(config, async (backend) => {
    const outcome = await transferLeadership(backend, { to, by, waitMs, clock: systemClock });
    io.out(values.json === true ? json({ moved: outcome.moved, from: outcome.from, to: outcome.to, leader: outcome.leader, by }) : outcomeText(outcome));
    return 0;
  });
}
