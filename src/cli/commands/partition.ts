import { DEFAULT_PARTITIONS, partitionOf, rawTableName } from '../../partitions/key-partition.js';
import { UsageError, type Command } from '../command.js';
import { json } from '../output.js';

/** `baton partition <key>`: the partition a key (table name) maps to, as Pinot computes it. */
export const partitionCommand: Command = {
  name: 'partition',
  summary: 'Print the partition of a key (Pinot: table -> lead controller partition, Kafka murmur2)',
  usage: 'baton partition <key> [--partitions N] [--json]',
  examples: ['baton partition baseballStats_OFFLINE', 'baton partition myTable --partitions 48 --json'],
  exitCodes: [
    '0  done',
    '2  usage: no key or more than one, bad --partitions, unknown flag',
  ],
  options: { partitions: { type: 'string', help: `How many partitions (default ${DEFAULT_PARTITIONS})`, value: 'N' } },
  positionals: true,
  async run(values, positionals, io) {
    const [key, ...extra] = positionals;
    if (key === undefined || extra.length > 0) throw new UsageError('give exactly one key, for example: baton partition baseballStats_OFFLINE');
    const text = values.partitions;
    const partitions = text === undefined ? DEFAULT_PARTITIONS : Number(text);
    if (typeof text === 'string' && !/^\d+$/.test(text)) throw new UsageError(`--partitions must be a positive whole number, got ${JSON.stringify(text)}`);
    if (!Number.isSafeInteger(partitions) || partitions < 1) throw new UsageError(`--partitions must be a positive whole number, got ${String(text)}`);
    const partition = partitionOf(key, partitions);
    io.out(values.json === true ? json({ key, rawTableName: rawTableName(key), partition, partitions }) : String(partition));
    return 0;
  },
};
