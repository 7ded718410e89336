import type { Logger } from 'pino';
import type { Kv } from '../backend/contract.js';
import type { Clock } from '../clock.js';
import { isBatonError } from '../errors.js';
import { assignmentsKey, nodePrefix, parseAssignments } from './assignment-layout.js';
import type { BucketId } from './bucket-ids.js';
import type { BucketMetrics } from './bucket-metrics.js';
import { pause } from '../handoff/wakeup.js';

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
 * Follows one node's target (`bucket-assignments/{nodeId}/assignments`) through a KV watch, not
 * by polling. An absent document is an empty target. A corrupt one is reported with its key and
 * treated as "no change" until the leader repairs it. Reads never overlap: a change noticed
 * during a read triggers one more read after it.
 */
export class TargetWatcher {
  readonly #options: TargetWatcherOptions;
  readonly #key: string;
  #reading: Promise<void> | undefined;
  #again = false;
  #firstAttempt: (() => void) | undefined;

  constructor(options: TargetWatcherOptions) {
    this.#options = options;
    this.#key = assignmentsKey(options.nodeId);
  }

  /**
   * Starts watching until `signal` aborts. Resolves after the first read attempt, successful or
   * not (a failed read is retried in the background), so a store outage cannot hold up start-up.
   */
  start(signal: AbortSignal): Promise<void> {
    const first = new Promise<void>((resolve) => (this.#firstAttempt = resolve));
    this.#options.kv.watch(nodePrefix(this.#options.nodeId), () => void this.refresh(signal), { signal });
    void this.refresh(signal).finally(() => this.#firstAttempt?.());
    return first;
  }

  /** Reads the target again (joins a read in progress, then reads once more). */
  refresh(signal: AbortSignal): Promise<void> {
    this.#again = true;
    this.#reading ??= this.#readLoop(signal)
      .catch((error: unknown) => this.#options.log.error({ err: error }, 'following own bucket target failed'))
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }

  async #readLoop(signal: AbortSignal): Promise<void> {
    while (this.#again && !signal.aborted) {
      this.#again = false;
      try {
        const entry = await this.#options.kv.get(this.#key, { signal });
        const buckets = entry === null ? [] : parseAssignments(this.#key, entry.value, this.#options.bucketCount);
        if (!signal.aborted) this.#options.onTarget(buckets);
        this.#firstAttempt?.();
      } catch (error) {
        this.#firstAttempt?.();
        if (signal.aborted) return;
        if (isBatonError(error, 'CORRUPT_DOCUMENT')) {
          // Keep the current target: the leader rewrites the document, and the watch fires then.
          this.#options.log.warn({ key: this.#key, err: error }, 'own bucket target is corrupt; keeping the current one until the leader repairs it');
          this.#options.metrics?.corrupt.inc({ key: this.#key });
          continue;
        }
        this.#options.log.warn({ err: error }, `reading own bucket target failed; retrying in ${this.#options.retryMs} ms`);
        await pause(this.#options.clock, this.#options.retryMs, signal);
        this.#again = true;
      }
    }
  }
}
