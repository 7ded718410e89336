import { readStoredTables } from '../../partitions/stored-tables.js';
import { resourcesOf } from '../../partitions/partitions-feature.js';
import { DEFAULT_RESOURCE_OPTIONS, LEAD_CONTROLLER_RESOURCE } from '../../partitions/resource-options.js';
import { UsageError, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { json, table } from '../output.js';
import { withStoreReader } from './status.js';

/** `baton tables [table]`: who leads each partition and its tables, read from the store (Pinot's shape with --json). */
export const tablesCommand: Command = {
  name: 'tables',
  summary: 'Show the leader of every partition and its tables (or of one table), read from the store',
  usage: 'baton tables [table] [--resource NAME] [--json] [--config FILE] [config flags]',
  examples: ['baton tables --store sqlite:./.baton/baton.db', 'baton tables baseballStats_OFFLINE --json'],
  options: { resource: { type: 'string', help: `Resource name (default ${LEAD_CONTROLLER_RESOURCE})`, value: 'name' } },
  configFlags: true,
  positionals: true,
  async run(values, positionals, io) {
    const [only, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`usage: ${this.usage}`);
    const { config } = configFromArgs(values, io);
    const resource = typeof values.resource === 'string' ? values.resource : LEAD_CONTROLLER_RESOURCE;
    const configured = resourcesOf(config).find((r) => r.name === resource) ?? DEFAULT_RESOURCE_OPTIONS;
    return withStoreReader(config, async (backend) => {
      const view = await readStoredTables(backend, { resource, partitions: configured.partitions, enabledByDefault: configured.enabledByDefault, leadControllerIdFormat: configured.leadControllerIdFormat, ...(only === undefined ? {} : { table: only }) });
      if (values.json === true) io.out(json(view, false));
      else if (!view.leadControllerResourceEnabled) io.out(`${resource} is disabled: the cluster leader leads every table (baton leader)`);
      else io.out(table(['PARTITION', 'LEADER', 'TABLES'], Object.entries(view.leadControllerEntryMap).map(([name, e]) => [name, e.leadControllerId ?? '(none)', e.tableNames.join(' ')])));
      return 0;
    });
  },
};
