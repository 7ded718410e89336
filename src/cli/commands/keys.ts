import { addResourceKey, listResourceKeys, removeResourceKey } from '../../partitions/resource-admin.js';
import { partitionOf } from '../../partitions/key-partition.js';
import { LEAD_CONTROLLER_RESOURCE } from '../../partitions/resource-options.js';
import { NotFoundError } from '../../errors.js';
import { UsageError, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { resourceAsStored } from '../known-resource.js';
import { json, table } from '../output.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';

/** `baton keys add|remove|list`: the keys ("tables") registered for a partitioned resource. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'Register, unregister or list the keys (tables) of a partitioned resource',
  usage: 'baton keys add|remove <key> | list [--resource NAME] [--json] [--config FILE] [config flags]',
  examples: ['baton keys add baseballStats_OFFLINE --store sqlite:./.baton/baton.db', 'baton keys list --json'],
  exitCodes: [
    '0  done',
    '1  failed: the store is unreachable or refused; unknown cluster or resource; remove of a key that is not registered',
    '2  usage: unknown command or flag, bad value, invalid configuration',
  ],
  options: { resource: { type: 'string', help: `Resource name (default ${LEAD_CONTROLLER_RESOURCE})`, value: 'name' } },
  configFlags: true,
  usesConfig: [...READER_CONFIG, 'partitions'],
  positionals: true,
  async run(values, positionals, io) {
    const [action, key, ...extra] = positionals;
    const needsKey = action === 'add' || action === 'remove';
    if (!(needsKey || action === 'list') || (needsKey ? key === undefined || extra.length > 0 : key !== undefined)) {
      throw new UsageError(`usage: ${this.usage}`);
    }
    const resource = typeof values.resource === 'string' ? values.resource : LEAD_CONTROLLER_RESOURCE;
    const { config } = configFromArgs(values, io);
    return withStoreReader(config, async (backend) => {
      const { options: { partitions }, note } = await resourceAsStored(config, backend, resource);
      if (note !== null) io.err(note);
      if (action === 'add') await addResourceKey(backend.kv, resource, key as string);
      if (action === 'remove' && !(await removeResourceKey(backend.kv, resource, key as string))) {
        throw new NotFoundError('key', `key "${String(key)}" is not registered in ${resource}; nothing removed (baton keys list --resource ${resource} shows the registered keys)`);
      }
      const keys = await listResourceKeys(backend.kv, resource);
      const rows = (needsKey ? [key as string] : keys).map((k) => ({ key: k, partition: partitionOf(k, partitions), registered: keys.includes(k) }));
      if (values.json === true) io.out(json({ resource, keys: rows }));
      else io.out(table(['KEY', 'PARTITION', 'REGISTERED'], rows.map((r) => [r.key, String(r.partition), r.registered ? 'yes' : 'no'])));
      return 0;
    });
  },
};
