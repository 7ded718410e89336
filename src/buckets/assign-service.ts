/**
 * The leader's half of bucket assignment, for one cluster term: the owned-items engine's
 * placement loop (ItemPlacement: read members and the table, place, fenced writes, offline
 * grace) over the bucket layout. A BucketsFeature runs one for every term its node leads; use
 * this directly only without a node.
 */
import type { Logger } from 'pino';
import type { Backend, Leadership } from '../contract/contract.js';
import type { Clock } from '../clock.js';
import { ItemPlacement } from '../owned-items/item-placement.js';
import { bucketLayout } from './bucket-layout.js';
import type { BucketMetrics } from './bucket-metrics.js';
import { bucketTiming, validateBucketsOptions, type BucketsOptions } from './buckets-options.js';
import type { BucketTable } from './plan.js';

export { RETRY_AFTER_ERROR_MS } from '../owned-items/placement-loop.js';

export interface AssignServiceOptions {
  readonly backend: Backend;
  /** The term this service works for; it stops when the term's signal aborts. */
  readonly leadership: Leadership;
  readonly buckets?: Partial<BucketsOptions>;
  /** Monotonic clock for the interval and the grace. Default: the system clock. */
  readonly clock?: Clock;
  /** Wall clock (epoch ms) for the stored last-update-time, shown to people only. */
  readonly wallClock?: () => number;
  readonly log?: Logger;
  readonly metrics?: BucketMetrics;
}

/**
 * Runs assignment passes for one term: at once, on every membership change, when a grace ends,
 * and every `assignIntervalMs` as a safety net (`run()`), or one pass now (`tick()`).
 *
 * @example
 * elector.on('acquired', () => {
 *   const leadership = elector.leadership();
 *   if (leadership !== null) void new AssignService({ backend, leadership, buckets: { count: 100 } }).run();
 * });
 */
export class AssignService extends ItemPlacement<BucketTable> {
  constructor(options: AssignServiceOptions) {
    const buckets = validateBucketsOptions(options.buckets);
    const { metrics } = options;
    super({
      backend: options.backend,
      leadership: options.leadership,
      layout: bucketLayout(buckets.count, options.wallClock),
      timing: bucketTiming(buckets),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.log ? { log: options.log.child({ feature: 'buckets' }) } : {}),
      ...(metrics ? { onCorrupt: (e) => metrics.corrupt.inc({ key: e.key }), onPass: (pass) => metrics.observePass(pass) } : {}),
    });
  }
}
