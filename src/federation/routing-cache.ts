/**
 * The federated client's routing table and its refresh policy: routing data is read once at
 * start; afterwards a path that the data cannot route triggers one refresh from the source, at
 * most once per refresh interval, and the lookup is retried once on the new data.
 */
import type { CallOptions } from '../contract/contract.js';
import type { Clock } from '../clock.js';
import { AbortedError, StateError } from '../errors.js';
import type { RoutingData } from './routing-data.js';
import type { RoutingSource } from './routing-source.js';
import { routingError, type Route } from './routing-trie.js';

/**
 * Least time between two refreshes caused by routing misses, in ms on the injected MONOTONIC
 * clock. A burst of misses for a path that truly has no key must not become a burst of reads
 * against the directory; five seconds bounds that load while a newly added key still becomes
 * routable within seconds.
 */
export const DEFAULT_ROUTING_REFRESH_INTERVAL_MS = 5_000;

export interface RoutingCacheOptions {
  readonly clock: Clock;
  /** See {@link DEFAULT_ROUTING_REFRESH_INTERVAL_MS}. */
  readonly refreshIntervalMs: number;
  /** Refresh on a routing miss (default true). When false, the data read at start is final. */
  readonly refreshOnMiss: boolean;
  /** Called with the old and new data after a refresh that changed them. */
  readonly onChange: (previous: RoutingData, next: RoutingData) => void;
}

export class RoutingCache {
  readonly #source: RoutingSource;
  readonly #options: RoutingCacheOptions;
  #data: RoutingData | undefined;
  /** When the last refresh started, on the monotonic clock. */
  #lastRefreshAt = Number.NEGATIVE_INFINITY;
  /** The refresh in flight: concurrent misses share it. */
  #refreshing: Promise<void> | undefined;
  #lastRefreshError: unknown;

  constructor(source: RoutingSource, options: RoutingCacheOptions) {
    this.#source = source;
    this.#options = options;
  }

  /** The current routing data; throws StateError before {@link load}. */
  get data(): RoutingData {
    if (!this.#data) throw new StateError('routing data is not loaded yet; call start() first');
    return this.#data;
  }

  get loaded(): boolean {
    return this.#data !== undefined;
  }

  /** Reads the routing data for the first time (counts as a refresh for the throttle). */
  async load(options?: CallOptions): Promise<void> {
    this.#lastRefreshAt = this.#options.clock.now();
    this.#data = await this.#source.read(options);
  }

  /**
   * The route of `path`. Steps: 1. look it up; 2. on a miss, refresh if the interval since the
   * last refresh has passed (or join the refresh in flight); 3. look it up once more; 4. still a
   * miss: RoutingError naming the path (its cause is the refresh's failure, if it failed).
   */
  async route(path: string, options?: CallOptions): Promise<Route> {
    const first = this.data.tryLookup(path);
    if (typeof first === 'object') return first;
    if (!this.#options.refreshOnMiss) throw routingError(path, first);
    if (options?.signal?.aborted) throw new AbortedError(`routing ${path}`, options.signal.reason);
    const refreshed = await this.#refreshIfDue();
    const second = this.data.tryLookup(path);
    if (typeof second === 'object') return second;
    const error = routingError(path, second);
    if (refreshed && this.#lastRefreshError !== undefined) error.cause = this.#lastRefreshError;
    throw error;
  }

  /** True when a refresh ran (or was joined) for this call. */
  async #refreshIfDue(): Promise<boolean> {
    if (!this.#refreshing) {
      const now = this.#options.clock.now();
      if (now - this.#lastRefreshAt < this.#options.refreshIntervalMs) return false;
      this.#lastRefreshAt = now;
      this.#refreshing = this.#refresh().finally(() => {
        this.#refreshing = undefined;
      });
    }
    await this.#refreshing;
    return true;
  }

  /**
   * Never rejects: a failed refresh keeps the old data and is remembered as the miss's cause.
   * It runs without any caller's signal, since several callers share it; the source's own
   * timeout bounds it.
   */
  async #refresh(): Promise<void> {
    try {
      const next = await this.#source.read();
      this.#lastRefreshError = undefined;
      const previous = this.data;
      this.#data = next;
      if (!previous.equals(next)) this.#options.onChange(previous, next);
    } catch (error) {
      this.#lastRefreshError = error;
    }
  }
}
