import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Backend, SessionState } from '../contract/contract.js';
import type { BatonConfig } from '../config/types.js';
import type { NodeFeature } from '../feature/feature.js';
import type { DrainOptions, DrainResult, NodeHolding } from '../node/node-drain.js';
import type { DrainRequest } from '../operations/index.js';

/** What the HTTP routes may see of a node (BatonNode implements it; tests may fake it). */
export interface NodeView {
  readonly config: BatonConfig;
  readonly nodeId: string;
  readonly logger: Logger;
  /** The store connection (reads only; writes go through features). */
  readonly backend: Backend;
  /** The node's Prometheus registry. */
  readonly metrics: Registry;
  /** The state of the current session; 'none' between sessions. */
  readonly sessionState: SessionState | 'none';
  /** How long ago the last successful session renewal ended (ms); null when unknown. */
  readonly lastRenewalAgeMs?: number | null;
  isLeader(): boolean;
  /** What the node holds now and whether it may stop (BatonNode.holding). */
  holding(): NodeHolding;
  /** Stores this node's drain request and waits (BatonNode.drain). */
  drain(options?: DrainOptions): Promise<DrainResult>;
  /** Withdraws this node's drain request (BatonNode.cancelDrain). */
  cancelDrain(options?: { readonly by?: string }): Promise<DrainRequest | null>;
  /** A running feature by name (routes of that feature use it). */
  feature<T extends NodeFeature = NodeFeature>(name: string): T | undefined;
}
