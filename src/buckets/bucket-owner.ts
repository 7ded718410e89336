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
 * So at most one node acts for a bucket at any time, whatever the targets say.
 */
import type { Logger } from 'pino';
import type { Backend, Leadership, Session } from '../backend/contract.js';
import { systemClock, type Clock } from '../clock.js';
import { ClosedError, StateError, isBatonError } from '../errors.js';
import { lastUpdateKey } from './assignment-layout.js';
import { sortBuckets, validateBucketCount, type BucketId } from './bucket-ids.js';
import type { BucketMetrics } from './bucket-metrics.js';
import { BucketListeners, type AcquiredListener, type ReleasedListener, type ReleaseReason } from './bucket-listeners.js';
import { silentLogger } from './silent-logger.js';
import { TargetWatcher } from './target-watcher.js';
import { pause } from './wakeup.js';

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

interface OwnedSlot {
  readonly kind: 'owned';
  readonly leadership: Leadership;
  readonly stop: AbortController;
  readonly onLost: () => void;
}
type Slot = { readonly kind: 'campaign'; readonly abort: AbortController } | OwnedSlot | { readonly kind: 'releasing' };

/**
 * Owns this node's buckets. Bucket ids are strings "1".."N".
 *
 * @example
 * const owner = new BucketOwner({ backend, session });
 * owner.on('acquired', (bucket, { token, signal }) => startWork(bucket, token, signal));
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
  readonly #listeners: BucketListeners;
  /** Aborts when the owner is closed or its session is lost: nothing new starts after that. */
  readonly #lifetime = new AbortController();
  readonly #slots = new Map<BucketId, Slot>();
  readonly #tasks = new Set<Promise<void>>();
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
    this.#listeners = new BucketListeners(this.#log);
  }

  /**
   * Starts following the target; resolves after the first read attempt (not after the
   * campaigns; a failed read is retried in the background).
   */
  async start(): Promise<void> {
    if (this.#state !== 'latent') throw new StateError(`BucketOwner is ${this.#state}; start it once`);
    this.#state = 'started';
    // A lost session ends every ownership even if a lease's own signal were late to say so.
    const onLost = () => {
      this.#lifetime.abort(this.#session.lost.reason);
      for (const [bucket, slot] of this.#slots) if (slot.kind === 'owned') this.#track(this.#release(bucket, slot, 'lost'));
    };
    if (this.#session.lost.aborted) onLost();
    this.#session.lost.addEventListener('abort', onLost, { once: true });
    this.#lifetime.signal.addEventListener('abort', () => this.#session.lost.removeEventListener('abort', onLost), { once: true });
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
        this.#reconcile();
      },
    });
    await watcher.start(this.#lifetime.signal);
  }

  /** Buckets this node owns now (acquired and not yet released), in numeric order. */
  owned(): BucketId[] {
    return sortBuckets([...this.#slots].filter(([, slot]) => slot.kind === 'owned').map(([bucket]) => bucket));
  }

  /** Buckets the leader's target lists for this node (owned or not yet). */
  target(): BucketId[] {
    return sortBuckets(this.#target);
  }

  /** Adds a listener; returns a function that removes it. */
  on(event: 'acquired', listener: AcquiredListener): () => void;
  on(event: 'released', listener: ReleasedListener): () => void;
  on(event: 'acquired' | 'released', listener: AcquiredListener | ReleasedListener): () => void {
    return this.#listeners.add(event, listener);
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
    this.#lifetime.abort(new ClosedError('BucketOwner'));
    for (const [bucket, slot] of this.#slots) if (slot.kind === 'owned') this.#track(this.#release(bucket, slot, 'closed'));
    while (this.#tasks.size > 0) await Promise.all(this.#tasks);
    if (!wasStarted || !leave) return;
    try {
      await this.#backend.kv.delete(lastUpdateKey(this.#session.nodeId));
    } catch (error) {
      this.#log.warn({ err: error }, 'could not mark the graceful leave; the leader reclaims the buckets after the offline grace');
    }
  }

  /** Brings the slots in line with the target: abort or release what left it, campaign for what joined. */
  #reconcile(): void {
    if (this.#lifetime.signal.aborted) return;
    for (const [bucket, slot] of this.#slots) {
      if (this.#target.has(bucket)) continue;
      if (slot.kind === 'campaign') slot.abort.abort(new StateError(`bucket ${bucket} is no longer targeted here`));
      if (slot.kind === 'owned') this.#track(this.#release(bucket, slot, 'moved'));
    }
    for (const bucket of this.#target) {
      if (this.#slots.has(bucket)) continue;
      const slot = { kind: 'campaign', abort: new AbortController() } as const;
      this.#slots.set(bucket, slot);
      this.#track(this.#campaign(bucket, slot));
    }
  }

  async #campaign(bucket: BucketId, slot: Slot & { kind: 'campaign' }): Promise<void> {
    const signal = AbortSignal.any([slot.abort.signal, this.#lifetime.signal]);
    while (!signal.aborted) {
      try {
        const leadership = await this.#session.campaign(`bucket/${bucket}`, { nodeId: this.#session.nodeId }, { signal });
        if (signal.aborted) {
          await this.#resign(bucket, leadership);
          break;
        }
        this.#own(bucket, leadership);
        return;
      } catch (error) {
        if (signal.aborted || isBatonError(error, 'SESSION_LOST')) break;
        this.#log.warn({ bucket, err: error }, `campaign for bucket failed; retrying in ${this.#session.timing.retryPeriodMs} ms`);
        await pause(this.#clock, this.#session.timing.retryPeriodMs, signal);
      }
    }
    if (this.#slots.get(bucket) === slot) this.#slots.delete(bucket);
    this.#reconcile();
  }

  /** Step 3 done: record the ownership and tell the listeners; a lost term releases it. */
  #own(bucket: BucketId, leadership: Leadership): void {
    const stop = new AbortController();
    const slot: OwnedSlot = { kind: 'owned', leadership, stop, onLost: () => this.#track(this.#release(bucket, slot, 'lost')) };
    this.#slots.set(bucket, slot);
    this.#metrics?.owned.set(this.owned().length);
    this.#log.info({ bucket, token: leadership.term }, 'bucket acquired');
    this.#listeners.acquired(bucket, { token: leadership.term, signal: stop.signal });
    if (leadership.signal.aborted) slot.onLost();
    else leadership.signal.addEventListener('abort', slot.onLost, { once: true });
  }

  /** Step 2: stop the work (signal, awaited listeners), then resign so a successor may start. */
  async #release(bucket: BucketId, slot: OwnedSlot, reason: ReleaseReason): Promise<void> {
    if (this.#slots.get(bucket) !== slot) return;
    this.#slots.set(bucket, { kind: 'releasing' });
    slot.leadership.signal.removeEventListener('abort', slot.onLost);
    slot.stop.abort(new StateError(`bucket ${bucket} released: ${reason}`));
    this.#metrics?.owned.set(this.owned().length);
    await this.#listeners.released(bucket, reason);
    this.#log.info({ bucket, token: slot.leadership.term, reason }, 'bucket released');
    await this.#resign(bucket, slot.leadership);
    this.#slots.delete(bucket);
    this.#reconcile();
  }

  /** Resigns, retrying while the store is unreachable, until the term is gone either way. */
  async #resign(bucket: BucketId, leadership: Leadership): Promise<void> {
    for (;;) {
      try {
        await leadership.resign();
        return;
      } catch (error) {
        // A lost session or an ended term is no longer renewed: the store lets it expire.
        if (this.#session.lost.aborted || leadership.signal.aborted) return;
        this.#log.warn({ bucket, err: error }, `resigning bucket failed; retrying in ${this.#session.timing.retryPeriodMs} ms`);
        await pause(this.#clock, this.#session.timing.retryPeriodMs, this.#session.lost);
      }
    }
  }

  #track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => this.#log.error({ err: error }, 'bucket task failed'));
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }
}
