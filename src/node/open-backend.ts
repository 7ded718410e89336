/**
 * Opens the configured store at start-up, retrying transient failures (a database that is still
 * starting) a bounded number of times with exponential backoff.
 */
import type { Logger } from 'pino';
import type { Backend } from '../contract/contract.js';
import { openStore } from '../backends/open-store.js';
import type { Clock } from '../clock.js';
import type { BatonConfig } from '../config/types.js';
import { BatonError, isBatonError, StoreUnavailableError } from '../errors.js';
import { pause } from '../async.js';
import { backoffDelay } from '../backoff.js';

/** How a node reaches its store; tests substitute the memory backend. */
export type OpenBackend = (config: BatonConfig, clock: Clock) => Promise<Backend>;

/** Opens `config.store` with openStore. */
export const openConfiguredStore: OpenBackend = (config, clock) =>
  openStore(config.store.url, {
    cluster: config.cluster,
    tablePrefix: config.store.tablePrefix,
    migrate: config.store.migrate,
    clock,
    pollIntervalMs: config.election.pollIntervalMs,
  });

/**
 * Cap of the start-up backoff (wall time), as a multiple of store.connectBackoffMs: with the
 * default 500 ms, waits grow 0.5, 1, 2, 4, 5, 5 s, so a database that takes a minute to start is
 * still caught within seconds of coming up.
 */
const MAX_BACKOFF_FACTOR = 10;

/**
 * Calls `open` up to `config.store.connectAttempts` times while it fails with
 * StoreUnavailableError (or a non-baton error, such as a raw driver error), waiting
 * `connectBackoffMs * 2^n` (capped at 10x) between tries. Other errors fail at once. An abort of
 * `signal` ends a wait between tries at once and rejects with the signal's reason.
 */
export async function openWithRetry(open: OpenBackend, config: BatonConfig, clock: Clock, logger: Logger, signal?: AbortSignal): Promise<Backend> {
  const { connectAttempts, connectBackoffMs } = config.store;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open(config, clock);
    } catch (error) {
      const transient = isBatonError(error, 'STORE_UNAVAILABLE') || !(error instanceof BatonError);
      if (!transient) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= connectAttempts) {
        throw new StoreUnavailableError(
          `cannot reach the store ${redact(config.store.url)} after ${attempt} attempt${attempt > 1 ? 's' : ''}: ${message}; check store.url and that the store is running`,
          { cause: error },
        );
      }
      const waitMs = backoffDelay(attempt - 1, connectBackoffMs, connectBackoffMs * MAX_BACKOFF_FACTOR);
      logger.warn({ reason: 'store unavailable', attempt, retryInMs: waitMs, err: error }, 'cannot reach the store, retrying');
      if (signal === undefined) await clock.sleep(waitMs);
      else if (!(await pause(clock, waitMs, signal))) throw signal.reason;
    }
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
