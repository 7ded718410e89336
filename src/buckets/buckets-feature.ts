/**
 * Bucket assignment as a node feature: the owned-items engine over the bucket layout. On every
 * session of the node it follows this node's target and owns its buckets, and whenever this
 * node leads the cluster it assigns them. Turned on with `buckets.enabled: true`.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { FeatureContext, NodeFeature, NodeFeatureFactory } from '../feature/feature.js';
import type { AcquiredListener, ReleasedListener } from '../holding/index.js';
import { OwnedItems } from '../owned-items/owned-items.js';
import { agreeOnBucketSettings } from '../cluster-settings/index.js';
import { assignmentStore, checkAmoroNodeId } from './amoro-store.js';
import { bucketLayout } from './bucket-layout.js';
import type { BucketId } from './bucket-ids.js';
import { BucketMetrics } from './bucket-metrics.js';
import type { BucketsConfig } from './buckets-config.js';
import { bucketTiming, validateBucketsOptions, type BucketsOptions } from './buckets-options.js';
import type { BucketTable } from './plan.js';

/**
 * The node's bucket feature (`node.buckets`). Listeners added with `on` stay registered across
 * sessions.
 *
 * @example
 * node.buckets.on('acquired', (bucket, { fence, signal }) => serve(bucket, fence, signal));
 * console.log(node.buckets.owned()); // ["3", "17", ...]
 */
export class BucketsFeature implements NodeFeature {
  readonly name = 'buckets';
  readonly options: BucketsOptions;
  readonly #items: OwnedItems<BucketId, BucketTable, readonly BucketId[]>;
  #lost: AbortSignal | null = null;

  /** @internal Built by the feature's factory; users get it as `node.buckets`. */
  constructor(options: Partial<BucketsOptions>, metrics: BucketMetrics, logger: Logger) {
    this.options = validateBucketsOptions(options);
    this.#items = new OwnedItems({
      layout: bucketLayout(this.options.count),
      timing: bucketTiming(this.options),
      log: logger,
      onCorrupt: (e) => metrics.corrupt.inc({ key: e.key }),
      onPass: (pass) => metrics.observePass(pass),
    });
    metrics.ownedCount = () => this.#items.owned().length;
  }

  /** Buckets this node owns now (none between sessions), in numeric order. */
  owned(): BucketId[] {
    return this.#items.owned();
  }

  /** What a drain waits for: the buckets owned now. */
  holding(): Record<string, BucketId[]> {
    return { buckets: this.owned() };
  }

  /** Adds a listener for this and later sessions; returns a function that removes it. InvalidArgumentError for an unknown event. */
  on(event: 'acquired', listener: AcquiredListener<[BucketId]>): () => void;
  on(event: 'released', listener: ReleasedListener<[BucketId]>): () => void;
  on(event: 'acquired' | 'released', listener: AcquiredListener<[BucketId]> | ReleasedListener<[BucketId]>): () => void {
    return this.#items.on(event as 'acquired', listener as AcquiredListener<[BucketId]>);
  }

  async start(context: FeatureContext): Promise<void> {
    await agreeOnBucketSettings(context, this.options); // ConfigError when the cluster stores another bucket count
    this.#lost = context.session.lost;
    if (this.options.layout === 'amoro') checkAmoroNodeId(context.session.nodeId);
    const backend = assignmentStore(context.backend, this.options); // ConfigError when the store cannot hold the layout
    await this.#items.start({ backend, session: context.session, elector: context.elector, autoFreeze: context.config.placement.autoFreeze, expectedNodes: context.config.placement.expectedNodes, operationsKv: context.backend.kv, log: context.logger });
  }

  /** Releases every bucket (a graceful leave unless the session was lost) and stops assigning. */
  async stop(): Promise<void> {
    await this.#items.stop({ leave: this.#lost?.aborted !== true });
  }
}

/** Builds the feature when `buckets.enabled` is true. */
export const bucketsFeatureFactory: NodeFeatureFactory<{ readonly buckets?: BucketsConfig }> = (config, registry: Registry, logger) =>
  config.buckets?.enabled === true ? new BucketsFeature(config.buckets, new BucketMetrics(registry), logger) : null;
