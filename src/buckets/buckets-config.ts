/**
 * The `buckets` config section, owned by this feature: its schema (composed into the node's by
 * src/config/sections/index.ts) and its type (composed into BatonConfig by src/config/types.ts).
 * Bucket assignment: the leader spreads bucket ids "1".."count" over the live nodes; each node
 * owns its buckets through a two-step handoff.
 */
import { booleanLeaf, integerLeaf, section, stringLeaf } from '../feature/config-spec.js';
import { MAX_MOVES } from '../owned-items/move-throttle.js';
import { MAX_BUCKET_COUNT } from './bucket-ids.js';
import { AMORO_CLUSTER, BUCKETS_LAYOUTS, DEFAULT_BUCKETS_OPTIONS, type BucketsOptions } from './buckets-options.js';

/** The `buckets` config section. */
export interface BucketsConfig extends BucketsOptions {
  readonly enabled: boolean;
}

/** The longest interval or grace accepted: one day, in ms. */
const MAX_MS = 86_400_000;

export const bucketsSection = section('Bucket assignment: N buckets spread evenly over the live nodes, each owned by exactly one node at a time.', {
  enabled: booleanLeaf({ doc: 'Run bucket assignment on this node (the leader assigns, every node owns its buckets).', default: false }),
  count: integerLeaf({
    doc: 'How many buckets exist (ids "1".."count"); every node of the cluster must use the same value.',
    default: DEFAULT_BUCKETS_OPTIONS.count,
    min: 1,
    max: MAX_BUCKET_COUNT,
  }),
  assignIntervalMs: integerLeaf({
    // The leader's monotonic clock; membership changes trigger a pass at once, this is a safety net.
    doc: 'Period of the leader\'s safety-net assignment pass, in ms (membership changes are handled at once).',
    default: DEFAULT_BUCKETS_OPTIONS.assignIntervalMs,
    min: 1,
    max: MAX_MS,
  }),
  offlineGraceMs: integerLeaf({
    // Measured on the leaders' monotonic clocks and carried across leader changes in the store.
    doc: 'How long a vanished node keeps its buckets before they move, in ms (rides out restarts).',
    default: DEFAULT_BUCKETS_OPTIONS.offlineGraceMs,
    min: 0,
    max: MAX_MS,
  }),
  maxMovesInFlight: integerLeaf({
    doc: 'Throttled moves: at most this many buckets in handoff at once in the cluster (moved, not yet acquired by their new node); the rest move as handoffs complete. Unheld buckets are placed at once. 0: no cap.',
    default: DEFAULT_BUCKETS_OPTIONS.maxMovesInFlight,
    min: 0,
    max: MAX_MOVES,
  }),
  maxMovesPerNode: integerLeaf({
    doc: 'Throttled moves: at most this many buckets in handoff at once to or from one node. 0: no cap.',
    default: DEFAULT_BUCKETS_OPTIONS.maxMovesPerNode,
    min: 0,
    max: MAX_MOVES,
  }),
  layout: stringLeaf({
    doc: 'Where assignments are stored: `baton` (the cluster\'s own KV) or `amoro` (Amoro\'s ZooKeeper paths /{amoroCluster}/amoro/ams/bucket-assignments/{host:port}/..., so Amoro\'s AMS and tools see them; ZooKeeper only, node ids must be `host:port`). Every node must use the same value.',
    default: DEFAULT_BUCKETS_OPTIONS.layout,
    oneOf: BUCKETS_LAYOUTS,
  }),
  amoroCluster: stringLeaf({
    doc: 'The Amoro cluster (its `ha.cluster-name`) whose paths the `amoro` layout uses.',
    default: DEFAULT_BUCKETS_OPTIONS.amoroCluster,
    pattern: AMORO_CLUSTER,
    expects: 'an Amoro cluster name (letters, digits, ".", "_", "-")',
  }),
});
