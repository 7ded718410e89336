import { validateBucketCount } from '../../buckets/bucket-ids.js';
import { bucketSection, changeSettings, describeValue, partitionSection, readStoredSettings, type SettingsChange, type SettingsSection } from '../../cluster-settings/index.js';
import type { Backend } from '../../contract/contract.js';
import { MAX_PARTITIONS, MAX_REPLICAS } from '../../partitions/resource-options.js';
import { UsageError, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { json, table } from '../output.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';

/** A section seen as its numeric fields (every shared setting is a whole number). */
type Numbers = Record<string, number>;
type AnySection = SettingsSection<Numbers>;
const anySection = <T>(section: SettingsSection<T>): AnySection => section as unknown as AnySection;

/** One `path=value` of `baton settings set`, checked as the config checks the same key. */
interface Assignment {
  readonly section: AnySection;
  readonly field: string;
  readonly value: number;
}

const SET_SYNTAX = 'give PATH=N, PATH one of buckets.count, partitions.<resource>.partitions, partitions.<resource>.replicas';

function parseAssignment(text: string): Assignment {
  const match = /^([^=]+)=(\d+)$/.exec(text);
  if (match === null) throw new UsageError(`"${text}": ${SET_SYNTAX}`);
  const [path, digits] = [match[1] as string, match[2] as string];
  const value = Number(digits);
  const parts = path.split('.');
  if (path === 'buckets.count') {
    validateBucketCount(value, path);
    return { section: anySection(bucketSection()), field: 'count', value };
  }
  const [head, resource, field] = parts;
  if (parts.length !== 3 || head !== 'partitions' || resource === undefined || (field !== 'partitions' && field !== 'replicas')) throw new UsageError(`"${text}": ${SET_SYNTAX}`);
  const max = field === 'partitions' ? MAX_PARTITIONS : MAX_REPLICAS;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new UsageError(`${path} must be a whole number from 1 to ${max}, got ${digits}`);
  return { section: anySection(partitionSection(resource)), field, value };
}

/** The assignments grouped per stored document, in the order given. */
function bySection(assignments: readonly Assignment[]): Map<string, { section: AnySection; change: Record<string, number> }> {
  const groups = new Map<string, { section: AnySection; change: Record<string, number> }>();
  for (const a of assignments) {
    const group = groups.get(a.section.key) ?? groups.set(a.section.key, { section: a.section, change: {} }).get(a.section.key)!;
    group.change[a.field] = a.value;
  }
  return groups;
}

async function show(backend: Backend, asJson: boolean, out: (text: string) => void): Promise<void> {
  const corruptKeys: string[] = [];
  const stored = await readStoredSettings(backend.kv, (error) => corruptKeys.push(error.key));
  if (asJson) {
    out(json({ cluster: backend.cluster, ...stored, corruptKeys }));
    return;
  }
  const rows: string[][] = [];
  if (stored.buckets !== null) rows.push(['buckets.count', String(stored.buckets.count)]);
  for (const [resource, s] of Object.entries(stored.partitions)) rows.push([`partitions.${resource}.partitions`, String(s.partitions)], [`partitions.${resource}.replicas`, String(s.replicas)]);
  const lines = rows.length > 0 ? [table(['SETTING', 'VALUE'], rows)] : [`cluster "${backend.cluster}" stores no shared settings yet: none of its nodes has started buckets or partitions with this version of baton`];
  if (corruptKeys.length > 0) lines.push(`corrupt documents (rewrite them with baton settings set): ${corruptKeys.join(', ')}`);
  out(lines.join('\n'));
}

function changeLine(change: SettingsChange<Numbers>): string {
  return `${change.section.configPath}: ${change.before === null ? '(none)' : describeValue(change.before)} -> ${describeValue(change.after)}`;
}

/** `baton settings [set PATH=N...]`: the settings every node of the cluster shares, as stored. */
export const settingsCommand: Command = {
  name: 'settings',
  summary: 'Show the settings every node of the cluster must share (bucket count, partitions and replicas per resource) as the cluster stores them; `set` changes them with every node stopped',
  usage: 'baton settings [set PATH=N...] [--json] [--config FILE] [config flags]',
  examples: [
    'baton settings --store sqlite:./.baton/baton.db',
    'baton settings set buckets.count=64 --store postgres://postgres@127.0.0.1/baton --cluster shop',
    'baton settings set partitions.leadControllerResource.partitions=48 partitions.leadControllerResource.replicas=2',
  ],
  exitCodes: [
    '0  done',
    '1  failed: the store is unreachable or refused; unknown cluster; `set` while nodes of the cluster are live, or a resource with nothing stored given only one of its two values',
    '2  usage: unknown command or flag, bad PATH=N, invalid configuration',
  ],
  options: {},
  configFlags: true,
  usesConfig: READER_CONFIG,
  positionals: true,
  async run(values, positionals, io) {
    const [action, ...rest] = positionals;
    if (action !== undefined && (action !== 'set' || rest.length === 0)) throw new UsageError(`usage: ${this.usage}`);
    const assignments = rest.map(parseAssignment);
    const { config } = configFromArgs(values, io);
    return withStoreReader(config, async (backend) => {
      if (action === undefined) {
        await show(backend, values.json === true, (text) => io.out(text));
        return 0;
      }
      const changes: SettingsChange<Numbers>[] = [];
      for (const { section, change } of bySection(assignments).values()) changes.push(await changeSettings(backend, section, change));
      if (values.json === true) io.out(json({ cluster: backend.cluster, changed: changes.map((c) => ({ key: c.section.key, before: c.before, after: c.after })) }));
      else io.out([...changes.map(changeLine), 'start every node with the new values (a node with other values is refused)'].join('\n'));
      return 0;
    });
  },
};
