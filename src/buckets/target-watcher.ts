import type { Logger } from 'pino';
import type { Kv } from '../contract/contract.js';
import type { Clock } from '../clock.js';
import { isBatonError } from '../errors.js';
import { SerialReader } from '../owned-items/serial-reader.js';
import { assignmentsKey, nodePrefix, parseAssignments } from './assignment-layout.js';
import type { BucketId } from './bucket-ids.js';
import type { BucketMetrics } from './bucket-metrics.js';

/**
 * Safety net of the target watch, on the node's monotonic clock: the target is read again this
 * often even when no hint came, so a missed hint leaves this node's buckets as they were for at
 * most one period. 60 s, the pace of the leader's own safety-net pass (default
 * `assignIntervalMs`); one small read per node per period.
 */
export const TARGET_SAFETY_NET_MS = 60_000;

export interface TargetWatcherOptions {
  readonly kv: Kv;
  readonly nodeId: string;
  readonly bucketCount: number;
  readonly clock: Clock;
  /** Pause before re-reading after a failed read (store unreachable), on the monotonic clock. */
  readonly retryMs: number;
  readonly log: Logger;
  readonly metrics: BucketMetrics | undefined;
  /** Called with every valid target read (possibly unchanged). */
  readonly onTarget: (buckets: readonly BucketId[]) => void;
}

/**
 * Follows one node's target (`bucket-assignments/{nodeId}/assignments`) through a KV watch, with
 * a re-read every TARGET_SAFETY_NET_MS as a safety net. An absent document is an empty target. A corrupt one is reported with its key and
 * treated as "no change" until the leader repairs it. Reads never overlap (SerialReader).
 */
export class TargetWatcher {
  readonly #options: TargetWatcherOptions;
  readonly #key: string;
  readonly #reader: SerialReader;

  constructor(options: TargetWatcherOptions) {
    this.#options = options;
    this.#key = assignmentsKey(options.nodeId);
    this.#reader = new SerialReader({ ...options, what: 'own bucket target', safetyNetMs: TARGET_SAFETY_NET_MS, read: (signal) => this.#read(signal) });
  }

  /**
   * Starts watching until `signal` aborts. Resolves after the first read attempt, successful or
   * not (a failed read is retried in the background), so a store outage cannot hold up start-up.
   */
  start(signal: AbortSignal): Promise<void> {
    this.#options.kv.watch(nodePrefix(this.#options.nodeId), () => void this.refresh(signal), { signal });
    return this.#reader.start(signal);
  }

  /** Reads the target again (joins a read in progress, then reads once more). */
  refresh(signal: AbortSignal): Promise<void> {
    return this.#reader.refresh(signal);
  }

  async #read(signal: AbortSignal): Promise<void> {
    try {
      const entry = await this.#options.kv.get(this.#key, { signal });
      const buckets = entry === null ? [] : parseAssignments(this.#key, entry.value, this.#options.bucketCount);
      if (!signal.aborted) this.#options.onTarget(buckets);
    } catch (error) {
      if (signal.aborted || !isBatonError(error, 'CORRUPT_DOCUMENT')) throw error;
      // Keep the current target: the leader rewrites the document, and the watch fires then.
      this.#options.log.warn({ key: this.#key, err: error }, 'own bucket target is corrupt; keeping the current one until the leader repairs it');
      this.#options.metrics?.corrupt.inc({ key: this.#key });
    }
  }
}
