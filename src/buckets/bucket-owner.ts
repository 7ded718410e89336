/**
 * The node's half of bucket assignment: follows this node's target and owns buckets through the
 * two-step handoff (DESIGN.md, safety model 4).
 *
 * A node acts for bucket B only while it holds the election `bucket/B` through its session.
 * 1. The leader moves B by writing the targets (B leaves the old owner's list, joins the new one's).
 * 2. The old owner sees B leave its target: it aborts B's signal, emits `released` and awaits
 *    the listeners (their work must stop), and only then resigns `bucket/B`.
 * 3. The new owner campaigns for `bucket/B`; the store grants it only once the old owner resigned
 *    or its session died (ZooKeeper: ephemeral node gone; SQL: lease expired on the database
 *    clock, after the old owner's own local deadline). Then it emits `acquired`.
 * So at most one node acts for a bucket at any time, whatever the targets say. Steps 2 and 3
 * are the shared HandoffSlots (src/owned-items/); this file follows the target and marks a leave.
 */
import type { Logger } from 'pino';
import type { Backend, Session } from '../contract/contract.js';
import { systemClock, type Clock } from '../clock.js';
import { ClosedError, StateError } from '../errors.js';
import { HolderListeners, type AcquiredListener, type ReleasedListener } from '../holding/index.js';
import { HandoffSlots } from '../owned-items/handoff-slots.js';
import { silentLogger } from '../owned-items/silent-logger.js';
import { lastUpdateKey } from './assignment-layout.js';
import { sortBuckets, validateBucketCount, type BucketId } from './bucket-ids.js';
import type { BucketMetrics } from './bucket-metrics.js';
import { TargetWatcher } from './target-watcher.js';

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
 * Owns this node's buckets. Bucket ids are strings "1".."N".
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
  readonly #count: number;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #metrics: BucketMetrics | undefined;
  readonly #listeners: HolderListeners<[BucketId]>;
  /** Aborts when the owner is closed: the target watch ends with it (or with the session). */
  readonly #closed = new AbortController();
  /** The per-bucket elections (the handoff itself); created by start(). */
  #slots: HandoffSlots<BucketId> | null = null;
  #target = new Set<BucketId>();
  #state: 'latent' | 'started' | 'closed' = 'latent';
  #closing: Promise<void> | undefined;

  constructor(options: BucketOwnerOptions) {
    this.#backend = options.backend;
    this.#session = options.session;
    this.#count = validateBucketCount(options.bucketCount ?? 100);
    this.#clock = options.clock ?? systemClock;
    this.#log = (options.log ?? silentLogger).child({ node: options.session.nodeId, feature: 'buckets' });
    this.#metrics = options.metrics;
    this.#listeners = new HolderListeners<[BucketId]>(this.#log);
  }

  /**
   * Starts following the target; resolves after the first read attempt (not after the
   * campaigns; a failed read is retried in the background).
   */
  async start(): Promise<void> {
    if (this.#state !== 'latent') throw new StateError(`BucketOwner is ${this.#state}; start it once`);
    this.#state = 'started';
    const slots = new HandoffSlots<BucketId>({
      session: this.#session,
      clock: this.#clock,
      log: this.#log,
      noun: 'bucket',
      electionOf: (bucket) => `bucket/${bucket}`,
      maxItems: this.#count,
      info: { nodeId: this.#session.nodeId },
      acquired: (bucket, held) => this.#listeners.acquired(bucket, held),
      released: (bucket, reason) => this.#listeners.released(bucket, reason),
    });
    this.#slots = slots;
    if (this.#metrics) this.#metrics.ownedCount = () => slots.owned().length;
    const watcher = new TargetWatcher({
      kv: this.#backend.kv,
      nodeId: this.#session.nodeId,
      bucketCount: this.#count,
      clock: this.#clock,
      retryMs: this.#session.timing.retryPeriodMs,
      log: this.#log,
      metrics: this.#metrics,
      onTarget: (buckets) => {
        this.#target = new Set(buckets);
        slots.want(this.#target);
      },
    });
    await watcher.start(AbortSignal.any([this.#closed.signal, slots.lifetime]));
  }

  /** Buckets this node owns now (acquired and not yet released), in numeric order. */
  owned(): BucketId[] {
    return sortBuckets(this.#slots?.owned() ?? []);
  }

  /** Buckets the leader's target lists for this node (owned or not yet). */
  target(): BucketId[] {
    return sortBuckets(this.#target);
  }

  /** Adds a listener; returns a function that removes it. InvalidArgumentError for an unknown event. */
  on(event: 'acquired', listener: AcquiredListener<[BucketId]>): () => void;
  on(event: 'released', listener: ReleasedListener<[BucketId]>): () => void;
  on(event: 'acquired' | 'released', listener: AcquiredListener<[BucketId]> | ReleasedListener<[BucketId]>): () => void {
    return this.#listeners.on(event as 'acquired', listener as AcquiredListener<[BucketId]>);
  }

  /**
   * Stops campaigning and releases every owned bucket (listeners awaited, then resigned).
   * With `leave` (the default), a graceful leave: also deletes this node's last-update-time so
   * the leader reclaims its buckets at once instead of after the offline grace; pass
   * `leave: false` when the node means to come back (a new session after a lost one).
   * Idempotent; the session stays open (its owner closes it).
   */
  close(options: { readonly leave?: boolean } = {}): Promise<void> {
    this.#closing ??= this.#close(options.leave ?? true);
    return this.#closing;
  }

  async #close(leave: boolean): Promise<void> {
    const wasStarted = this.#state === 'started';
    this.#state = 'closed';
    this.#closed.abort(new ClosedError('BucketOwner'));
    await this.#slots?.close();
    if (!wasStarted || !leave) return;
    try {
      await this.#backend.kv.delete(lastUpdateKey(this.#session.nodeId));
    } catch (error) {
      this.#log.warn({ err: error }, 'could not mark the graceful leave; the leader reclaims the buckets after the offline grace');
    }
  }
}
