import { readResourceEnabled, setResourceEnabled } from '../../partitions/resource-admin.js';
import { UsageError, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { requireKnownResource } from '../known-resource.js';
import { json } from '../output.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';

const ACTIONS = ['enable', 'disable', 'status'] as const;

/** `baton resource enable|disable|status <name>`: the enable flag of a partitioned resource, in the store. */
export const resourceCommand: Command = {
  name: 'resource',
  summary: 'Enable or disable a partitioned resource (disabled: the cluster leader leads every key), or show its flag',
  usage: 'baton resource enable|disable|status <name> [--json] [--config FILE] [config flags]',
  examples: ['baton resource disable leadControllerResource --store sqlite:./.baton/baton.db', 'baton resource status leadControllerResource --json'],
  options: {},
  configFlags: true,
  usesConfig: [...READER_CONFIG, 'partitions'],
  positionals: true,
  async run(values, positionals, io) {
    const [action, name, ...extra] = positionals;
    if (!(ACTIONS as readonly (string | undefined)[]).includes(action) || name === undefined || extra.length > 0) {
      throw new UsageError(`usage: ${this.usage}`);
    }
    const { config } = configFromArgs(values, io);
    return withStoreReader(config, async (backend) => {
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
