/**
 * A node's drain (issue 19): the request in the store, the wait until the node holds nothing,
 * and the answer to "may this node stop now". The moves themselves are the cluster's: the
 * leader's placement gives a draining node's items to other live nodes through the two-step
 * handoff, and the node's elector, held back by its DrainWatch, hands the cluster leadership
 * over; so a drained node stops without leaving anything without a holder.
 */
import type { Logger } from 'pino';
import { pause } from '../async.js';
import type { Clock } from '../clock.js';
import type { Kv } from '../contract/contract.js';
import { AbortedError } from '../errors.js';
import { clearDrainRequest, drainRequestJson, operatorName, recordAction, writeDrainRequest, type DrainRequest } from '../operations/index.js';

/**
 * How often a drain looks whether the node holds nothing yet, on its monotonic clock. It reads
 * only memory (the node's own terms), so a short period costs nothing; it only decides how soon
 * after the last handoff `drain()` resolves, never how long anything goes without a holder.
 */
export const DRAIN_CHECK_MS = 100;

/** What a node holds now, and whether stopping it now would leave anything without a holder. */
export interface NodeHolding {
  /** This node holds no election now (not the cluster leader, no item): stopping leaves nothing without a holder. */
  readonly ready: boolean;
  /** A drain request for this node is stored (as last read). */
  readonly draining: boolean;
  /** This node leads the cluster now. */
  readonly leader: boolean;
  /** Items held now, by group (`buckets`, `partitions/<name>`); only groups that hold something. */
  readonly items: Readonly<Record<string, readonly (string | number)[]>>;
}

export interface DrainOptions {
  readonly signal?: AbortSignal;
  /** Give up waiting after this long (ms, monotonic clock): resolves with `drained: false`. Default: no limit. */
  readonly timeoutMs?: number;
  /** Who asks, for the action log; default operatorName() (BATON_OPERATOR or user@host). */
  readonly by?: string;
  /** Why, for the action log and the stored request. */
  readonly reason?: string;
}

export interface DrainResult {
  /** The node holds nothing (false: the timeout came first, or the drain cannot go on: `stalled`). */
  readonly drained: boolean;
  /**
   * The drain cannot go on: no other live node that is not draining could take over, or the
   * request was withdrawn; nothing moves (stopping now is a plain close). Then `drain()`
   * resolves at once instead of waiting for the timeout.
   */
  readonly stalled: boolean;
  /** What it held when the wait ended. */
  readonly holding: NodeHolding;
}

export interface NodeDrainDeps {
  readonly nodeId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The cluster's KV (the node's store). */
  readonly kv: () => Kv;
  readonly holding: () => NodeHolding;
  /** Whether the node drains now, by the shared rule (its DrainWatch as last read). */
  readonly drainingNow: () => boolean;
  /** Reads the drain requests again now (the node's DrainWatch). */
  readonly refresh: () => Promise<void>;
}

export class NodeDrain {
  readonly #d: NodeDrainDeps;

  constructor(deps: NodeDrainDeps) {
    this.#d = deps;
  }

  /**
   * Stores this node's drain request, logs the action, then waits until the node holds nothing,
   * `timeoutMs` passes, or the drain stalls (nobody could take over). AbortedError when
   * `signal` aborts first (the request stays stored).
   */
  async drain(options: DrainOptions = {}): Promise<DrainResult> {
    const { nodeId, logger } = this.#d;
    const by = operatorName(options.by);
    const request = await writeDrainRequest(this.#d.kv(), nodeId, { by, ...(options.reason === undefined ? {} : { reason: options.reason }) }, options);
    await recordAction(this.#d.kv(), { verb: 'drain', by, detail: { node: nodeId, reason: request.reason } }, options);
    logger.info({ reason: 'drain', by, request: drainRequestJson(request) }, 'drain requested by %s', by);
    await this.#d.refresh();
    return this.#untilHoldingNothing(options);
  }

  /** Deletes this node's drain request (it takes work again) and logs the action; the request that was stored, or null. */
  async cancel(options: { readonly by?: string; readonly signal?: AbortSignal } = {}): Promise<DrainRequest | null> {
    const { nodeId, logger } = this.#d;
    const by = operatorName(options.by);
    const request = await clearDrainRequest(this.#d.kv(), nodeId, options);
    await recordAction(this.#d.kv(), { verb: 'drain-cancel', by, detail: { node: nodeId, request: request && drainRequestJson(request) } }, options);
    logger.info({ reason: 'drain cancelled', by }, 'drain cancelled by %s', by);
    await this.#d.refresh();
    return request;
  }

  /**
   * At start, before joining: a request left from this node id's last run (it drained, then
   * stopped) would keep it from ever taking work, so it is deleted and the clearing logged.
   */
  async clearStale(signal: AbortSignal): Promise<void> {
    const { nodeId, logger } = this.#d;
    const request = await clearDrainRequest(this.#d.kv(), nodeId, { signal });
    if (request === null) return;
    await recordAction(this.#d.kv(), { verb: 'drain-clear', by: nodeId, detail: { node: nodeId, reason: 'the node started again', request: drainRequestJson(request) } }, { signal });
    logger.info({ reason: 'stale drain request', request: drainRequestJson(request) }, 'cleared this node\'s drain request from its last run');
  }

  async #untilHoldingNothing(options: DrainOptions): Promise<DrainResult> {
    const { clock } = this.#d;
    const signal = options.signal ?? new AbortController().signal;
    const deadline = options.timeoutMs === undefined ? Infinity : clock.now() + options.timeoutMs;
    for (;;) {
      const holding = this.#d.holding();
      if (holding.ready) return { drained: true, stalled: false, holding };
      if (!this.#d.drainingNow()) return { drained: false, stalled: true, holding };
      const left = deadline - clock.now();
      if (left <= 0) return { drained: false, stalled: false, holding };
      if (!(await pause(clock, Math.min(DRAIN_CHECK_MS, left), signal))) throw new AbortedError('drain', signal.reason);
    }
  }
}
