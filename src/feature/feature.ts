import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Backend, Session } from '../contract/contract.js';
import type { ClusterElector } from './cluster-elector.js';
import type { NodeConfig } from './node-config.js';

/** What a feature gets for one session of the node. */
export interface FeatureContext {
  readonly config: NodeConfig;
  readonly backend: Backend;
  /** This session; the feature must stop acting when `session.lost` aborts. */
  readonly session: Session;
  /** The node's cluster-leader elector (one for the node's life; it campaigns on this session now). */
  readonly elector: ClusterElector;
  readonly logger: Logger;
  /** The node's Prometheus registry; register metrics once (in the factory), update them here. */
  readonly metrics: Registry;
}

/**
 * A part of the node that works per session (bucket assignment, partitioned leadership, ...).
 * The node creates each feature once, calls `start` for every session it opens and `stop`
 * when that session ends or the node closes. `stop` must release what `start` acquired and
 * settle even when the store is unreachable.
 */
export interface NodeFeature {
  readonly name: string;
  start(context: FeatureContext): Promise<void>;
  stop(): Promise<void>;
  /**
   * What the feature holds now (each item's election won and not released, judged when asked),
   * by group: `{ buckets: ["3", "7"] }`, `{ "partitions/orders": [0, 2] }`. A drain waits until
   * every group is empty. Omitted: the feature holds nothing of its own.
   */
  holding?(): Readonly<Record<string, readonly (string | number)[]>>;
}

/**
 * Builds a feature from the node's config, or returns null when the config does not enable it.
 * `Section` is the part of the config the feature owns (`{ readonly buckets?: BucketsConfig }`):
 * each feature types and declares its own section, src/config/ composes them.
 */
export type NodeFeatureFactory<Section extends object = object> = (config: NodeConfig & Section, metrics: Registry, logger: Logger) => NodeFeature | null;
