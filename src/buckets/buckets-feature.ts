/**
 * Bucket assignment as a node feature: on every session of the node, a BucketOwner follows this
 * node's target, and whenever this node leads the cluster an AssignService runs for the term.
 * Turned on with `buckets.enabled: true`.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock } from '../clock.js';
import { isBatonError } from '../errors.js';
import type { FeatureContext, NodeFeature, NodeFeatureFactory } from '../feature/feature.js';
import { AssignService } from './assign-service.js';
import type { BucketId } from './bucket-ids.js';
import { BucketMetrics } from './bucket-metrics.js';
import { BucketOwner } from './bucket-owner.js';
import type { BucketsConfig } from './buckets-config.js';
import { validateBucketsOptions, type BucketsOptions } from './buckets-options.js';
import { pause, whenAborted } from '../owned-items/wakeup.js';
import { HolderListeners, type AcquiredListener, type ReleasedListener } from '../holding/index.js';

/**
 * The node's bucket feature (`node.buckets`). Listeners added with `on` stay registered across
 * sessions.
 *
 * @example
 * node.buckets.on('acquired', (bucket, { token, signal }) => serve(bucket, token, signal));
 * console.log(node.buckets.owned()); // ["3", "17", ...]
 */
export class BucketsFeature implements NodeFeature {
  readonly name = 'buckets';
  readonly options: BucketsOptions;
  readonly #metrics: BucketMetrics;
  readonly #logger: Logger;
  readonly #listeners: HolderListeners<[BucketId]>;
  #owner: BucketOwner | null = null;
  #stop: AbortController | null = null;
  #leading: Promise<void> | null = null;
  #session: FeatureContext['session'] | null = null;

  constructor(options: Partial<BucketsOptions>, metrics: BucketMetrics, logger: Logger) {
    this.options = validateBucketsOptions(options);
    this.#metrics = metrics;
    this.#logger = logger;
    this.#listeners = new HolderListeners<[BucketId]>(logger);
  }

  /** Buckets this node owns now (none between sessions), in numeric order. */
  owned(): BucketId[] {
    return this.#owner?.owned() ?? [];
  }

  /** Adds a listener for this and later sessions; returns a function that removes it. InvalidArgumentError for an unknown event. */
  on(event: 'acquired', listener: AcquiredListener<[BucketId]>): () => void;
  on(event: 'released', listener: ReleasedListener<[BucketId]>): () => void;
  on(event: 'acquired' | 'released', listener: AcquiredListener<[BucketId]> | ReleasedListener<[BucketId]>): () => void {
    return this.#listeners.on(event as 'acquired', listener as AcquiredListener<[BucketId]>);
  }

  async start(context: FeatureContext): Promise<void> {
    const stop = new AbortController();
    const owner = new BucketOwner({
      backend: context.backend,
      session: context.session,
      bucketCount: this.options.count,
      log: context.logger,
      metrics: this.#metrics,
    });
    owner.on('acquired', (bucket, ownership) => this.#listeners.acquired(bucket, ownership));
    owner.on('released', (bucket, reason) => this.#listeners.released(bucket, reason));
    [this.#owner, this.#stop, this.#session] = [owner, stop, context.session];
    this.#leading = this.#lead(context, AbortSignal.any([stop.signal, context.session.lost])).catch((error: unknown) =>
      this.#logger.error({ err: error }, 'bucket assignment stopped unexpectedly on this node'),
    );
    await owner.start();
  }

  /** Releases every bucket (a graceful leave unless the session was lost) and stops assigning. */
  async stop(): Promise<void> {
    const [owner, stop, leading, session] = [this.#owner, this.#stop, this.#leading, this.#session];
    this.#stop = null;
    this.#leading = null;
    stop?.abort();
    await owner?.close({ leave: session?.lost.aborted !== true });
    await leading;
  }

  /** Runs an AssignService for every term this session leads, until `signal` aborts. */
  async #lead(context: FeatureContext, signal: AbortSignal): Promise<void> {
    const retryMs = context.session.timing.retryPeriodMs;
    while (!signal.aborted) {
      let leadership;
      try {
        leadership = await context.elector.whenLeader({ signal });
      } catch (error) {
        if (signal.aborted || isBatonError(error, 'CLOSED') || isBatonError(error, 'SESSION_LOST')) return;
        this.#logger.warn({ err: error }, `waiting for leadership failed; retrying in ${retryMs} ms`);
        await pause(systemClock, retryMs, signal);
        continue;
      }
      const service = new AssignService({ backend: context.backend, leadership, buckets: this.options, log: context.logger, metrics: this.#metrics });
      const end = await service.run({ signal });
      // A fenced term is dead in the store; wait until the elector notices before trying again.
      if (end === 'fenced') await whenAborted(leadership.signal, signal);
    }
  }
}

/** Builds the feature when `buckets.enabled` is true. */
export const bucketsFeatureFactory: NodeFeatureFactory<{ readonly buckets?: BucketsConfig }> = (config, registry: Registry, logger) =>
  config.buckets?.enabled === true ? new BucketsFeature(config.buckets, new BucketMetrics(registry), logger) : null;
