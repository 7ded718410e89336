import { ConfigError } from '../errors.js';
import type { PlacementTiming } from '../owned-items/item-placement.js';
import { checkMoveCap } from '../owned-items/move-throttle.js';
import { validateBucketCount } from './bucket-ids.js';

/** Settings of the bucket feature (config section `buckets`). */
export interface BucketsOptions {
  /** How many buckets exist: ids "1".."count". Default 100. */
  readonly count: number;
  /**
   * Safety-net period of the leader's assignment pass, on the leader's monotonic clock. The pass
   * also runs at once on every membership change; this only catches a missed notification.
   * Default 60000 ms (Amoro's default interval).
   */
  readonly assignIntervalMs: number;
  /**
   * How long a node that vanished keeps its buckets before they move, measured on the leaders'
   * monotonic clocks and carried across leader changes in the store. Long enough to ride out a
   * restart or a network blip without moving work; the buckets are unowned (not double-owned)
   * meanwhile. Default 300000 ms (5 minutes, Amoro's default).
   */
  readonly offlineGraceMs: number;
  /**
   * Where the assignments are stored: `baton` (this cluster's own KV) or `amoro` (Amoro's
   * ZooKeeper paths, so Amoro's AMS and tools see them; ZooKeeper only, see amoro-store.ts).
   * Default `baton`.
   */
  readonly layout: BucketsLayoutName;
  /** The Amoro cluster whose paths the `amoro` layout uses (its `ha.cluster-name`). Default "default". */
  readonly amoroCluster: string;
  /**
   * Throttled moves: at most this many buckets in handoff at once in the cluster (moved by the
   * leader, not yet acquired by their new node); the rest move as handoffs complete. A bucket
   * nobody holds is placed at once whatever the cap. 0: no cap (default).
   */
  readonly maxMovesInFlight: number;
  /** Throttled moves: at most this many buckets in handoff at once to or from one node. 0: no cap (default). */
  readonly maxMovesPerNode: number;
}

/** The stored layouts of bucket assignments. */
export type BucketsLayoutName = 'baton' | 'amoro';
export const BUCKETS_LAYOUTS: readonly BucketsLayoutName[] = Object.freeze(['baton', 'amoro']);

export const DEFAULT_BUCKETS_OPTIONS: BucketsOptions = Object.freeze({
  count: 100,
  assignIntervalMs: 60_000,
  offlineGraceMs: 300_000,
  layout: 'baton',
  amoroCluster: 'default',
  maxMovesInFlight: 0,
  maxMovesPerNode: 0,
});


/** The engine's timing under its own names (`assignIntervalMs` is the engine's `placementIntervalMs`). */
export function bucketTiming(options: BucketsOptions): PlacementTiming {
  const { maxMovesInFlight, maxMovesPerNode } = options;
  return { placementIntervalMs: options.assignIntervalMs, offlineGraceMs: options.offlineGraceMs, maxMovesInFlight, maxMovesPerNode };
}

/** Fills defaults and validates; ConfigError names the offending `buckets.*` field. */
export function validateBucketsOptions(input: Partial<BucketsOptions> = {}, prefix = 'buckets'): BucketsOptions {
  const options = { ...DEFAULT_BUCKETS_OPTIONS };
  for (const [field, value] of Object.entries(input)) {
    if (value !== undefined && field in options) (options as Record<string, unknown>)[field] = value;
  }
  validateBucketCount(options.count, `${prefix}.count`);
  checkMs(options.assignIntervalMs, `${prefix}.assignIntervalMs`, 1);
  checkMs(options.offlineGraceMs, `${prefix}.offlineGraceMs`, 0);
  checkMoveCap(options.maxMovesInFlight, `${prefix}.maxMovesInFlight`);
  checkMoveCap(options.maxMovesPerNode, `${prefix}.maxMovesPerNode`);
  if (!BUCKETS_LAYOUTS.includes(options.layout)) {
    throw new ConfigError(`${prefix}.layout`, `must be one of ${BUCKETS_LAYOUTS.join(', ')}, got ${JSON.stringify(options.layout)}`);
  }
  if (typeof options.amoroCluster !== 'string' || !AMORO_CLUSTER.test(options.amoroCluster)) {
    throw new ConfigError(`${prefix}.amoroCluster`, `must be an Amoro cluster name (its ha.cluster-name: letters, digits, ".", "_", "-"), got ${JSON.stringify(options.amoroCluster)}`);
  }
  return Object.freeze(options);
}

/** An Amoro cluster name as it appears in its ZooKeeper paths: one path segment. */
export const AMORO_CLUSTER = /^[A-Za-z0-9._-]{1,128}$/;

function checkMs(value: unknown, key: string, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(key, `must be a whole number of milliseconds >= ${min}, got ${String(value)}`);
  }
}
