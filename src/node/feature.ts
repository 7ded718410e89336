import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Backend, Session } from '../contract/contract.js';
import type { BatonConfig } from '../config/types.js';
import type { LeaderElector } from '../election/index.js';

/** What a feature gets for one session of the node. */
export interface FeatureContext {
  readonly config: BatonConfig;
  readonly backend: Backend;
  /** This session; the feature must stop acting when `session.lost` aborts. */
  readonly session: Session;
  /** The cluster-leader elector of this session. */
  readonly elector: LeaderElector;
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
}

/** Builds a feature from the config, or returns null when the config does not enable it. */
export type NodeFeatureFactory = (config: BatonConfig, metrics: Registry, logger: Logger) => NodeFeature | null;
