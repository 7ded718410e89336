import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { pause } from '../async.js';

export interface SerialReaderOptions {
  readonly clock: Clock;
  /** Pause before reading again after a failed read (store unreachable), on the monotonic clock. */
  readonly retryMs: number;
  readonly log: Logger;
  /** What is read, for logs ("own bucket target", "partition resource"). */
  readonly what: string;
  /** One reading, delivered to the caller's listener before it resolves; a rejection is retried. */
  readonly read: (signal: AbortSignal) => Promise<void>;
  /**
   * Safety net, on the monotonic clock: read again this often even when nothing asked, so a
   * watch hint that never came leaves the reading stale for at most one period. Omitted: reads
   * only on demand.
   */
  readonly safetyNetMs?: number;
}

/**
 * Re-reads stored state on demand (a watch fired), and every `safetyNetMs` if given, never two
 * reads at once: a change noticed during a read triggers exactly one more read after it, so the
 * last reading always reflects the latest change. A failed read is logged and retried after
 * `retryMs` until `signal` aborts.
 */
export class SerialReader {
  readonly #o: SerialReaderOptions;
  #again = false;
  /** A run is in progress; `#reading` is its promise. */
  #busy = false;
  #reading: Promise<void> | undefined;
  /** Resolves start(): called after the first read attempt, whatever its outcome. */
  #firstAttempt: (() => void) | undefined;

  constructor(options: SerialReaderOptions) {
    this.#o = options;
  }

  /**
   * Reads for the first time. Resolves after that attempt, successful or not (a failed read is
   * retried in the background), so a store outage cannot hold up start-up.
   */
  start(signal: AbortSignal): Promise<void> {
    const first = new Promise<void>((resolve) => (this.#firstAttempt = resolve));
    void this.refresh(signal);
    if (this.#o.safetyNetMs !== undefined) void this.#refreshEvery(this.#o.safetyNetMs, signal);
    return first;
  }

  /** Reads again (joins a read in progress, then reads once more). */
  refresh(signal: AbortSignal): Promise<void> {
    this.#again = true;
    if (!this.#busy) {
      this.#busy = true;
      this.#reading = this.#run(signal);
    }
    return this.#reading ?? Promise.resolve();
  }

  /** The safety net: a refresh every `ms` until `signal` aborts. */
  async #refreshEvery(ms: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await pause(this.#o.clock, ms, signal);
      if (!signal.aborted) void this.refresh(signal);
    }
  }

  #attempted(): void {
    this.#firstAttempt?.();
    this.#firstAttempt = undefined;
  }

  /**
   * Reads while asked to. `#busy` is cleared in the same synchronous step as the last check of
   * `#again`, so a refresh that comes in after that check starts a new run instead of joining
   * one that is about to end.
   */
  async #run(signal: AbortSignal): Promise<void> {
    const { clock, retryMs, log, what } = this.#o;
    try {
      while (this.#again && !signal.aborted) {
        this.#again = false;
        try {
          await this.#o.read(signal);
          this.#attempted();
        } catch (error) {
          this.#attempted();
          if (signal.aborted) return;
          log.warn({ err: error }, `reading the ${what} failed; retrying in ${retryMs} ms`);
          await pause(clock, retryMs, signal);
          this.#again = true;
        }
      }
    } catch (error) {
      log.error({ err: error }, `following the ${what} failed`);
    } finally {
      this.#busy = false;
      this.#attempted();
    }
  }
}
