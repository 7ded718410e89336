import { addResourceKey, listResourceKeys, removeResourceKey } from '../../partitions/resource-admin.js';
import { DEFAULT_PARTITIONS, partitionOf } from '../../partitions/key-partition.js';
import { resourcesOf } from '../../partitions/partitions-feature.js';
import { LEAD_CONTROLLER_RESOURCE } from '../../partitions/resource-options.js';
import { UsageError, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { json, table } from '../output.js';
import { withStoreReader } from './status.js';

/** `baton keys add|remove|list`: the keys ("tables") registered for a partitioned resource. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'Register, unregister or list the keys (tables) of a partitioned resource',
  usage: 'baton keys add|remove <key> | list [--resource NAME] [--json] [--config FILE] [config flags]',
  examples: ['baton keys add baseballStats_OFFLINE --store sqlite:./.baton/baton.db', 'baton keys list --json'],
  options: { resource: { type: 'string', help: `Resource name (default ${LEAD_CONTROLLER_RESOURCE})`, value: 'name' } },
  configFlags: true,
  positionals: true,
  async run(values, positionals, io) {
    const [action, key, ...extra] = positionals;
    const needsKey = action === 'add' || action === 'remove';
    if (!(needsKey || action === 'list') || (needsKey ? key === undefined || extra.length > 0 : key !== undefined)) {
      throw new UsageError(`usage: ${this.usage}`);
    }
    const resource = typeof values.resource === 'string' ? values.resource : LEAD_CONTROLLER_RESOURCE;
    const { config } = configFromArgs(values, io);
    const partitions = resourcesOf(config).find((r) => r.name === resource)?.partitions ?? DEFAULT_PARTITIONS;
    return withStoreReader(config, async (backend) => {
      if (action === 'add') await addResourceKey(backend.kv, resource, key as string);
      if (action === 'remove') await removeResourceKey(backend.kv, resource, key as string);
      const keys = await listResourceKeys(backend.kv, resource);
      const rows = (needsKey ? [key as string] : keys).map((k) => ({ key: k, partition: partitionOf(k, partitions), registered: keys.includes(k) }));
      if (values.json === true) io.out(json({ resource, keys: rows }, false));
      else io.out(table(['KEY', 'PARTITION', 'REGISTERED'], rows.map((r) => [r.key, String(r.partition), r.registered ? 'yes' : 'no'])));
      return 0;
    });
  },
};
