/**
 * Where a federated client gets its routing data: a static map, the directory service over
 * HTTP, or a routing ZooKeeper. A source only reads; the client decides when (at start and on a
 * routing miss, throttled).
 */
import type { CallOptions } from '../contract/contract.js';
import { RoutingData } from './routing-data.js';

export interface RoutingSource {
  /** What the source is, for messages and logs (for example `directory http://msds:9090 ns=prod`). */
  readonly description: string;
  /**
   * Reads the current routing data. Rejects with InvalidRoutingDataError when the source holds
   * invalid data, StoreUnavailableError when it cannot be reached, AbortedError on `signal`.
   */
  read(options?: CallOptions): Promise<RoutingData>;
  /** Releases what the source holds (connections). Idempotent. */
  close(): Promise<void>;
}

/**
 * Routing data given in code or read from a file. Validated when built, so bad static routing
 * fails before anything connects.
 *
 * @example
 * const source = new StaticRoutingSource({ '127.0.0.1:2181': ['/orders'] });
 */
export class StaticRoutingSource implements RoutingSource {
  readonly description = 'static routing data';
  readonly #data: RoutingData;

  constructor(routing: RoutingData | unknown) {
    this.#data = routing instanceof RoutingData ? routing : RoutingData.from(routing);
  }

  async read(): Promise<RoutingData> {
    return this.#data;
  }

  async close(): Promise<void> {}
}
