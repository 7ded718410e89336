/**
 * Bucket ownership without a node: the owned-items engine's follower over the bucket layout, for
 * one session. It follows this node's target and owns buckets through the two-step handoff
 * (docs/safety.md rule 8), but never assigns (run an AssignService where this node leads).
 * Inside a node use `node.buckets` (BucketsFeature), which also assigns while the node leads.
 */
import type { Logger } from 'pino';
import type { Backend, Session } from '../contract/contract.js';
import type { Clock } from '../clock.js';
import { StateError } from '../errors.js';
import type { AcquiredListener, ReleasedListener } from '../holding/index.js';
import { OwnedItems } from '../owned-items/owned-items.js';
import { bucketLayout } from './bucket-layout.js';
import { validateBucketCount, type BucketId } from './bucket-ids.js';
import type { BucketMetrics } from './bucket-metrics.js';
import { DEFAULT_BUCKETS_OPTIONS, bucketTiming } from './buckets-options.js';
import type { BucketTable } from './plan.js';

export interface BucketOwnerOptions {
  readonly backend: Backend;
  /** The node's session: bucket elections are held through it and end with it. */
  readonly session: Session;
  /** Must equal the leader's `buckets.count`. Default 100. */
  readonly bucketCount?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly metrics?: BucketMetrics;
}

/**
 * Owns this node's buckets for one session. Bucket ids are strings "1".."N".
 *
 * @example
 * const owner = new BucketOwner({ backend, session });
 * owner.on('acquired', (bucket, { fence, signal }) => startWork(bucket, fence, signal));
 * owner.on('released', async (bucket) => { await workStopped(bucket); });
 * await owner.start();
 */
export class BucketOwner {
  readonly #backend: Backend;
  readonly #session: Session;
  readonly #items: OwnedItems<BucketId, BucketTable, readonly BucketId[]>;
  #state: 'latent' | 'started' | 'closed' = 'latent';
  #closing: Promise<void> | undefined;

  constructor(options: BucketOwnerOptions) {
    this.#backend = options.backend;
    this.#session = options.session;
    const count = validateBucketCount(options.bucketCount ?? DEFAULT_BUCKETS_OPTIONS.count);
    const { metrics } = options;
    this.#items = new OwnedItems({
      layout: bucketLayout(count),
      timing: bucketTiming({ ...DEFAULT_BUCKETS_OPTIONS, count }),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.log ? { log: options.log.child({ nodeId: options.session.nodeId, feature: 'buckets' }) } : {}),
      ...(metrics ? { onCorrupt: (e) => metrics.corrupt.inc({ key: e.key }) } : {}),
    });
    if (metrics) metrics.ownedCount = () => this.#items.owned().length;
  }

  /**
   * Starts following the target; resolves after the first read attempt (not after the
   * campaigns; a failed read is retried in the background).
   */
  async start(): Promise<void> {
    if (this.#state !== 'latent') throw new StateError(`BucketOwner is ${this.#state}; start it once`);
    this.#state = 'started';
    await this.#items.start({ backend: this.#backend, session: this.#session });
  }

  /** Buckets this node owns now (acquired and not yet released), in numeric order. */
  owned(): BucketId[] {
    return this.#items.owned();
  }

  /** Buckets the leader's target lists for this node (owned or not yet), in numeric order. */
  target(): BucketId[] {
    return [...(this.#items.view() ?? [])];
  }

  /** Adds a listener; returns a function that removes it. InvalidArgumentError for an unknown event. */
  on(event: 'acquired', listener: AcquiredListener<[BucketId]>): () => void;
  on(event: 'released', listener: ReleasedListener<[BucketId]>): () => void;
  on(event: 'acquired' | 'released', listener: AcquiredListener<[BucketId]> | ReleasedListener<[BucketId]>): () => void {
    return this.#items.on(event as 'acquired', listener as AcquiredListener<[BucketId]>);
  }

  /**
   * Stops campaigning and releases every owned bucket (listeners awaited, then resigned).
   * With `leave` (the default), a graceful leave: also deletes this node's last-update-time so
   * the leader reclaims its buckets at once instead of after the offline grace; pass
   * `leave: false` when the node means to come back (a new session after a lost one).
   * Idempotent; the session stays open (its owner closes it).
   */
  close(options: { readonly leave?: boolean } = {}): Promise<void> {
    this.#state = 'closed';
    this.#closing ??= this.#items.stop({ leave: options.leave ?? true });
    return this.#closing;
  }
}
