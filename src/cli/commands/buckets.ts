import { DEFAULT_BUCKETS_OPTIONS, validateBucketsOptions } from '../../buckets/buckets-options.js';
import { assignmentStore } from '../../buckets/amoro-store.js';
import { bucketLayout } from '../../buckets/bucket-layout.js';
import { readBucketStatus, type BucketStatus } from '../../buckets/bucket-status.js';
import { bucketCountOf } from '../../cluster-settings/index.js';
import type { Backend } from '../../contract/contract.js';
import type { BatonConfig } from '../../config/types.js';
import type { PlacementPreview } from '../../owned-items/placement-preview.js';
import { UsageError, type CliIo, type Command } from '../command.js';
import { configFromArgs } from '../config-args.js';
import { isoTime, json, table } from '../output.js';
import { hasPlanFlags, PLAN_OPTIONS, planChanges, planJson, planNotes, readPlan, spreadText, stepsText } from '../placement-plan.js';
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

/** Moves grouped by (from, to), with bucket ranges. */
function movesTable(preview: PlacementPreview): string {
  const groups = new Map<string, { from: string; to: string; buckets: string[] }>();
  for (const move of preview.moves) {
    const from = move.from[0] ?? '(none)';
    const to = move.to[0] ?? '(none)';
    const group = groups.get(`${from}\n${to}`) ?? { from, to, buckets: [] };
    group.buckets.push(move.item);
    groups.set(`${from}\n${to}`, group);
  }
  const rows = [...groups.values()].map((g) => [g.from, g.to, String(g.buckets.length), bucketRanges(g.buckets)]);
  return rows.length === 0 ? 'no bucket moves' : `${preview.moves.length} bucket moves\n${table(['FROM', 'TO', 'COUNT', 'BUCKETS'], rows)}`;
}

/** `baton buckets plan`: the leader's next pass with the flags' changes, printed, nothing written. */
async function plan(values: Readonly<Record<string, unknown>>, config: BatonConfig, backend: Backend, count: number, io: CliIo): Promise<number> {
  const changes = planChanges(values);
  const graceMs = config.buckets?.offlineGraceMs ?? DEFAULT_BUCKETS_OPTIONS.offlineGraceMs;
  const limits = { maxMovesInFlight: config.buckets?.maxMovesInFlight ?? 0, maxMovesPerNode: config.buckets?.maxMovesPerNode ?? 0 };
  const { preview, corrupt } = await readPlan(backend, bucketLayout(count), changes, graceMs, limits);
  const notes = planNotes(preview, graceMs, 'this command\'s buckets.offlineGraceMs', corrupt);
  if (changes.remove.length > 0) notes.push('a removed node that stops gracefully gives its buckets up at once; one that crashes keeps them for its grace first');
  if (values.json === true) {
    io.out(json({ kind: 'buckets', bucketCount: count, replicas: 1, ...planJson(preview, changes, notes) }));
  } else {
    const paced = stepsText(preview, 'bucket');
    io.out([`plan for ${count} buckets`, movesTable(preview), ...(paced === null ? [] : [paced]), '', spreadText(preview, 1), ...notes.map((n) => `note: ${n}`)].join('\n'));
  }
  return 0;
}

/** `baton buckets`: every node's bucket target, read straight from the store; `baton buckets plan`: what a change would move. */
export const bucketsCommand: Command = {
  name: 'buckets',
  summary: 'Show the bucket assignment (per node: state, count, last update, buckets), or plan a change (plan --add/--remove/--weight: the moves and the spread after, nothing changed)',
  usage: 'baton buckets [plan [--add NODE[=W][@ZONE]]... [--remove NODE]... [--weight NODE=W]...] [--json] [--config FILE] [config flags]',
  examples: [
    'baton buckets --store sqlite:./.baton/baton.db',
    'baton buckets --json --store postgres://postgres@127.0.0.1/baton',
    'baton buckets plan --add n3 --store sqlite:./.baton/baton.db',
    'baton buckets plan --remove n2 --weight n1=2 --json --store sqlite:./.baton/baton.db',
  ],
  options: PLAN_OPTIONS,
  configFlags: true,
  usesConfig: [...READER_CONFIG, 'buckets.count', 'buckets.offlineGraceMs', 'buckets.maxMovesInFlight', 'buckets.maxMovesPerNode', 'buckets.layout', 'buckets.amoroCluster'],
  positionals: true,
  async run(values, positionals, io) {
    const [action, ...extra] = positionals;
    if ((action !== undefined && action !== 'plan') || extra.length > 0) throw new UsageError(`usage: ${this.usage}`);
    if (action === undefined && hasPlanFlags(values)) throw new UsageError('--add, --remove and --weight belong to "baton buckets plan"');
    const { config } = configFromArgs(values, io);
    const choice = validateBucketsOptions(config.buckets);
    // Amoro's layout lives outside any baton cluster: an Amoro cluster is read with no baton data beside it.
    return withStoreReader(config, async (backend) => {
      // The cluster's stored count; --buckets-count only serves clusters that store none (older nodes).
      const configured = config.buckets?.count ?? DEFAULT_BUCKETS_OPTIONS.count;
      const count = await bucketCountOf(backend.kv, configured);
      const note = countNote(count, givenCount(values, io, config.buckets?.count));
      if (note !== null) io.err(note);
      // The plan reads the assignments where the leader keeps them (baton's layout or Amoro's).
      if (action === 'plan') return plan(values, config, assignmentStore(backend, choice), count.value, io);
      const status = await readBucketStatus(assignmentStore(backend, choice), count.value);
      io.out(values.json === true ? json({ ...status, bucketCountSource: count.source }) : statusTable(status));
      return 0;
    }, { anyCluster: choice.layout === 'amoro' });
  },
};
