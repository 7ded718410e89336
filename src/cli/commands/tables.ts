import { NotFoundError } from '../../errors.js';
import { readStoredTables } from '../../partitions/stored-tables.js';
import { partitionOf } from '../../partitions/key-partition.js';
import { listResourceKeys } from '../../partitions/resource-admin.js';
import { LEAD_CONTROLLER_RESOURCE } from '../../partitions/resource-options.js';
import { UsageError, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { resourceAsStored } from '../known-resource.js';
import { json, table } from '../output.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';

/** `baton tables [table]`: who leads each partition and its tables, read from the store (Pinot's shape with --json). */
export const tablesCommand: Command = {
  name: 'tables',
  summary: 'Show the leader of every partition and its tables (or of one registered table), read from the store',
  usage: 'baton tables [table] [--resource NAME] [--json] [--config FILE] [config flags]',
  examples: ['baton tables --store sqlite:./.baton/baton.db', 'baton tables baseballStats_OFFLINE --json'],
  exitCodes: [
    '0  done',
    '1  failed: the store is unreachable or refused; unknown cluster or resource; the table is not registered (baton keys add TABLE)',
    '2  usage: unknown command or flag, bad value, invalid configuration',
  ],
  options: { resource: { type: 'string', help: `Resource name (default ${LEAD_CONTROLLER_RESOURCE})`, value: 'name' } },
  configFlags: true,
  usesConfig: [...READER_CONFIG, 'partitions'],
  positionals: true,
  async run(values, positionals, io) {
    const [only, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const { config } = configFromArgs(values, io);
    const resource = typeof values.resource === 'string' ? values.resource : LEAD_CONTROLLER_RESOURCE;
    return withStoreReader(config, async (backend) => {
      const { options: configured, note } = await resourceAsStored(config, backend, resource);
      if (note !== null) io.err(note);
      if (only !== undefined && !(await listResourceKeys(backend.kv, resource)).includes(only)) {
        throw new NotFoundError(
          'table',
          `table "${only}" is not registered in ${resource} (it would map to partition ${partitionOf(only, configured.partitions)}); register it with: baton keys add ${only} --resource ${resource}`,
        );
      }
      const view = await readStoredTables(backend, { resource, partitions: configured.partitions, enabledByDefault: configured.enabledByDefault, leadControllerIdFormat: configured.leadControllerIdFormat, ...(only === undefined ? {} : { table: only }) });
      if (values.json === true) io.out(json(view));
      else if (!view.leadControllerResourceEnabled) io.out(`${resource} is disabled: the cluster leader leads every table (baton leader)`);
      else io.out(table(['PARTITION', 'LEADER', 'TABLES'], Object.entries(view.leadControllerEntryMap).map(([name, e]) => [name, e.leadControllerId ?? '(none)', e.tableNames.join(' ')])));
      return 0;
    });
  },
};
