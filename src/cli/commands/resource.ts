import type { Backend } from '../../contract/contract.js';
import type { BatonConfig } from '../../config/types.js';
import type { PlacementPreview } from '../../owned-items/placement-preview.js';
import { partitionLayout } from '../../partitions/partition-layout.js';
import { readResourceEnabled, setResourceEnabled } from '../../partitions/resource-admin.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { requireKnownResource, resourceAsStored } from '../known-resource.js';
import { json, table } from '../output.js';
import { hasPlanFlags, PLAN_OPTIONS, planChanges, planJson, planNotes, readPlan, spreadText, stepsText } from '../placement-plan.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';

const ACTIONS = ['enable', 'disable', 'status', 'plan'] as const;

/** One row per partition whose list changes: master and standbys before and after. */
function movesTable(preview: PlacementPreview): string {
  const rows = preview.moves.map((m) => [m.item, m.from.join(',') || '(none)', m.to.join(',') || '(none)', m.from[0] === m.to[0] ? '' : 'master moves']);
  return rows.length === 0 ? 'no partition moves' : `${rows.length} partitions change\n${table(['PARTITION', 'FROM', 'TO', ''], rows)}`;
}

/** `baton resource plan NAME`: the leader's next placement pass with the flags' changes, nothing written. */
async function plan(values: Readonly<Record<string, unknown>>, config: BatonConfig, backend: Backend, name: string, io: CliIo): Promise<number> {
  const changes = planChanges(values);
  const { options, note } = await resourceAsStored(config, backend, name);
  if (note !== null) io.err(note);
  const { preview, corrupt } = await readPlan(backend, partitionLayout({ name, ...options }), changes, options.rebalanceDelayMs, options);
  const notes = planNotes(preview, options.rebalanceDelayMs, `this command's partitions.${name}.rebalanceDelayMs`, corrupt);
  if (changes.remove.length > 0) notes.push('a removed node\'s standbys act as masters at once; the stored placement changes as shown once its rebalance delay is over');
  if (values.json === true) {
    io.out(json({ kind: 'partitions', resource: name, partitions: options.partitions, replicas: options.replicas, ...planJson(preview, changes, notes) }));
  } else {
    const paced = stepsText(preview, 'partition');
    io.out([`plan for ${name}: ${options.partitions} partitions, ${options.replicas} nodes each`, movesTable(preview), ...(paced === null ? [] : [paced]), '', spreadText(preview, options.replicas), ...notes.map((n) => `note: ${n}`)].join('\n'));
  }
  return 0;
}

/** `baton resource enable|disable|status|plan <name>`: the enable flag of a partitioned resource, in the store, or a placement plan. */
export const resourceCommand: Command = {
  name: 'resource',
  summary: 'Enable or disable a partitioned resource (disabled: the cluster leader leads every key), show its flag, or plan a change (plan --add/--remove/--weight: the moves and the spread after, nothing changed)',
  usage: 'baton resource enable|disable|status|plan <name> [--add NODE[=W][@ZONE]]... [--remove NODE]... [--weight NODE=W]... [--json] [--config FILE] [config flags]',
  examples: [
    'baton resource disable leadControllerResource --store sqlite:./.baton/baton.db',
    'baton resource status leadControllerResource --json',
    'baton resource plan leadControllerResource --add n3=2@zone-b --store sqlite:./.baton/baton.db',
  ],
  options: PLAN_OPTIONS,
  configFlags: true,
  usesConfig: [...READER_CONFIG, 'partitions'],
  positionals: true,
  async run(values, positionals, io) {
    const [action, name, ...extra] = positionals;
    if (!(ACTIONS as readonly (string | undefined)[]).includes(action) || name === undefined || extra.length > 0) {
      throw new UsageError(`usage: ${this.usage}`);
    }
    if (action !== 'plan' && hasPlanFlags(values)) throw new UsageError('--add, --remove and --weight belong to "baton resource plan"');
    const { config } = configFromArgs(values, io);
    return withStoreReader(config, async (backend) => {
      if (action === 'plan') return plan(values, config, backend, name, io);
      const configured = await requireKnownResource(config, backend, name);
      if (action !== 'status') await setResourceEnabled(backend.kv, name, action === 'enable');
      const stored = await readResourceEnabled(backend.kv, name);
      // Without a stored flag the nodes use their configured default (true unless configured otherwise).
      const enabled = stored ?? configured?.enabledByDefault ?? true;
      io.out(values.json === true ? json({ resource: name, enabled, stored: stored !== null }) : `${name}: ${enabled ? 'enabled' : 'disabled'}${stored === null ? ' (default)' : ''}`);
      return 0;
    });
  },
};
