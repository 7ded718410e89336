import { DEFAULT_BUCKETS_OPTIONS } from '../../buckets/buckets-options.js';
import { readBucketStatus, type BucketStatus } from '../../buckets/bucket-status.js';
import type { Command } from '../command.js';
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

/** `baton buckets`: every node's bucket target, read straight from the store. */
export const bucketsCommand: Command = {
  name: 'buckets',
  summary: 'Show the bucket assignment (per node: state, count, last update, buckets), read straight from the store',
  usage: 'baton buckets [--json] [--config FILE] [config flags]',
  examples: ['baton buckets --store sqlite:./.baton/baton.db', 'baton buckets --json --buckets-count 64 --store postgres://postgres@127.0.0.1/baton'],
  options: {},
  configFlags: true,
  usesConfig: [...READER_CONFIG, 'buckets.count'],
  async run(values, _positionals, io) {
    const { config } = configFromArgs(values, io);
    return withStoreReader(config, async (backend) => {
      const status = await readBucketStatus(backend, config.buckets?.count ?? DEFAULT_BUCKETS_OPTIONS.count);
      io.out(values.json === true ? json(status) : statusTable(status));
      return 0;
    });
  },
};
