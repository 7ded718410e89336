import { DEFAULT_BUCKETS_OPTIONS, validateBucketsOptions } from '../../buckets/buckets-options.js';
import { assignmentStore } from '../../buckets/amoro-store.js';
import { readBucketStatus, type BucketStatus } from '../../buckets/bucket-status.js';
import { bucketCountOf } from '../../cluster-settings/index.js';
import type { CliIo, Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { isoTime, json, table } from '../output.js';
import { READER_CONFIG, withStoreReader } from '../store-reader.js';

/** "1-3,7,9-10" from sorted bucket ids. */
export function bucketRanges(buckets: readonly string[]): string {
  const parts: string[] = [];
  let start: number | undefined;
  let prev: number | undefined;
  const flush = () => {
    if (start !== undefined) parts.push(start === prev ? String(start) : `${start}-${prev}`);
  };
  for (const n of buckets.map(Number)) {
    if (prev !== undefined && n === prev + 1) {
      prev = n;
      continue;
    }
    flush();
    start = prev = n;
  }
  flush();
  return parts.join(',');
}

function statusTable(status: BucketStatus): string {
  const rows = status.nodes.map((n) => [
    n.nodeId,
    n.corrupt ? `${n.state} (corrupt)` : n.state,
    String(n.count),
    n.lastUpdateTime === null ? '-' : isoTime(n.lastUpdateTime),
    bucketRanges(n.buckets),
  ]);
  const lines = [`${status.bucketCount} buckets`, table(['NODE', 'STATE', 'COUNT', 'LAST UPDATE', 'BUCKETS'], rows)];
  if (status.unassigned.length > 0) lines.push(`unassigned: ${bucketRanges(status.unassigned)}`);
  if (status.corruptKeys.length > 0) lines.push(`corrupt documents (the leader rewrites them): ${status.corruptKeys.join(', ')}`);
  return lines.join('\n');
}

/**
 * The note a reader prints (stderr) when the count it uses is not the cluster's stored one, or
 * when the user gave a count the stored one overrides. Null when there is nothing to say.
 */
function countNote(count: { value: number; source: 'stored' | 'configured' }, given: number | undefined): string | null {
  if (count.source === 'configured') {
    return `note: the cluster stores no bucket count yet (its nodes run a baton from before stored settings, or none has run buckets); assuming ${count.value} from --buckets-count / buckets.count (default ${DEFAULT_BUCKETS_OPTIONS.count})`;
  }
  if (given !== undefined && given !== count.value) return `note: using the cluster's stored bucket count ${count.value}; the configured ${given} is ignored (it only applies to clusters that store none)`;
  return null;
}

/** The bucket count the user gave (flag, environment or --config), if any. */
function givenCount(values: Readonly<Record<string, unknown>>, io: CliIo, configured: number | undefined): number | undefined {
  const given = values['buckets-count'] !== undefined || io.env['BATON_BUCKETS_COUNT'] !== undefined || values.config !== undefined || io.env['BATON_CONFIG'] !== undefined;
  return given ? configured : undefined;
}

/** `baton buckets`: every node's bucket target, read straight from the store. */
export const bucketsCommand: Command = {
  name: 'buckets',
  summary: 'Show the bucket assignment (per node: state, count, last update, buckets), read straight from the store',
  usage: 'baton buckets [--json] [--config FILE] [config flags]',
  examples: ['baton buckets --store sqlite:./.baton/baton.db', 'baton buckets --json --store postgres://postgres@127.0.0.1/baton'],
  options: {},
  configFlags: true,
  usesConfig: [...READER_CONFIG, 'buckets.count', 'buckets.layout', 'buckets.amoroCluster'],
  async run(values, _positionals, io) {
    const { config } = configFromArgs(values, io);
    const choice = validateBucketsOptions(config.buckets);
    // Amoro's layout lives outside any baton cluster: an Amoro cluster is read with no baton data beside it.
    return withStoreReader(config, async (backend) => {
      // The cluster's stored count; --buckets-count only serves clusters that store none (older nodes).
      const configured = config.buckets?.count ?? DEFAULT_BUCKETS_OPTIONS.count;
      const count = await bucketCountOf(backend.kv, configured);
      const note = countNote(count, givenCount(values, io, config.buckets?.count));
      if (note !== null) io.err(note);
      const status = await readBucketStatus(assignmentStore(backend, choice), count.value);
      io.out(values.json === true ? json({ ...status, bucketCountSource: count.source }) : statusTable(status));
      return 0;
    }, { anyCluster: choice.layout === 'amoro' });
  },
};
