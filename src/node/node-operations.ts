/**
 * A node's operator verbs (issue 19) behind BatonNode's drain, cancelDrain, holding and
 * readyToStop: its drain (NodeDrain), what it holds now, and the DrainWatch that follows the
 * drain requests from start until the node releases, which is the cluster-leader elector's
 * campaign hold. The leader transfer request is followed by the session supervisor
 * (LeaderTransferHold), which joins it to this hold.
 */
import type { Logger } from 'pino';
import { anySignal } from '../async.js';
import type { Clock } from '../clock.js';
import type { BatonConfig } from '../config/types.js';
import type { Backend } from '../contract/contract.js';
import type { CampaignHold } from '../election/index.js';
import type { NodeFeature } from '../feature/feature.js';
import type { DrainRequest } from '../operations/index.js';
import { DrainWatch } from './drain-watch.js';
import { NodeDrain, type DrainOptions, type DrainResult, type NodeHolding } from './node-drain.js';

export interface NodeOperationsDeps {
  readonly config: BatonConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The node's features, asked what they hold. */
  readonly features: readonly NodeFeature[];
  /** The node's store (after it opened). */
  readonly backend: () => Backend;
  /** Whether the node leads the cluster now (judged when asked). */
  readonly isLeader: () => boolean;
}

export class NodeOperations {
  readonly #d: NodeOperationsDeps;
  readonly #drain: NodeDrain;
  /** Follows the drain requests from start() until stop(); the elector's campaign hold. */
  #drainWatch: DrainWatch | null = null;
  /** Ends the drain watch (stop(): after the node closed, or a start that failed). */
  readonly #drainWatchStop = new AbortController();

  constructor(deps: NodeOperationsDeps) {
    this.#d = deps;
    this.#drain = new NodeDrain({
      nodeId: deps.config.nodeId,
      clock: deps.clock,
      logger: deps.logger,
      kv: () => deps.backend().kv,
      holding: () => this.holding(),
      drainingNow: () => this.#drainWatch?.held() ?? false,
      refresh: async () => this.#drainWatch?.refresh(this.#drainWatchStop.signal),
    });
  }

  /** See BatonNode.drain. */
  drain(options: DrainOptions = {}): Promise<DrainResult> {
    return this.#drain.drain(options);
  }

  /** See BatonNode.cancelDrain. */
  cancelDrain(options: { readonly by?: string; readonly signal?: AbortSignal } = {}): Promise<DrainRequest | null> {
    return this.#drain.cancel(options);
  }

  /** What the node holds now (the cluster leadership, items by group), judged when asked; see BatonNode.holding. */
  holding(): NodeHolding {
    const items: Record<string, readonly (string | number)[]> = {};
    for (const feature of this.#d.features) {
      for (const [group, held] of Object.entries(feature.holding?.() ?? {})) if (held.length > 0) items[group] = held;
    }
    const leader = this.#d.isLeader();
    return { ready: !leader && Object.keys(items).length === 0, draining: this.#drainWatch?.request() != null, leader, items };
  }

  /**
   * At start, once the store is open and before the node joins: 1. clears this node id's stale
   * drain request, 2. follows the drain requests (until `stop` aborts or stop()); resolves with
   * the campaign hold after their first reading.
   */
  async start(backend: Backend, stop: AbortSignal): Promise<CampaignHold> {
    const { config, clock, logger } = this.#d;
    await this.#drain.clearStale(stop);
    const drainWatch = new DrainWatch({ backend, nodeId: config.nodeId, clock, log: logger, retryMs: config.election.retryPeriodMs });
    this.#drainWatch = drainWatch;
    await drainWatch.start(anySignal(stop, this.#drainWatchStop.signal));
    return drainWatch;
  }

  /** Ends the drain watch (when the node releases). */
  stop(): void {
    this.#drainWatchStop.abort();
  }
}
