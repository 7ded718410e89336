/**
 * Routing data from the directory service over HTTP: `GET {url}/admin/v2/namespaces/{ns}/routing-data`,
 * answered in Helix's shape `{ namespace, routingData: [{ realm, shardingKeys }] }`.
 */
import type { CallOptions } from '../contract/contract.js';
import { AbortedError, CorruptDocumentError, StoreUnavailableError } from '../errors.js';
import { isJsonObject } from '../contract/json.js';
import { RoutingData, type RealmShardingKeys } from './routing-data.js';
import type { RoutingSource } from './routing-source.js';
import { describeFetchFailure } from './fetch-failure.js';
import { anySignal } from '../async.js';

/**
 * How long one routing read may take, in ms of real time (fetch's own timer): a directory that
 * does not answer within it is reported unavailable instead of stalling every routing miss.
 */
export const DEFAULT_DIRECTORY_TIMEOUT_MS = 5_000;

export interface DirectoryRoutingSourceOptions {
  /** The directory's base URL, for example `http://msds.internal:9090`. */
  readonly url: string;
  /** The routing namespace (default `default`). */
  readonly namespace?: string;
  /** See {@link DEFAULT_DIRECTORY_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Accept a namespace without any key (default false: a client needs one to route). */
  readonly allowNoKeys?: boolean;
  /** Replaces the global `fetch` (tests, proxies). */
  readonly fetch?: typeof fetch;
}

export class DirectoryRoutingSource implements RoutingSource {
  readonly description: string;
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #allowNoKeys: boolean;

  constructor(options: DirectoryRoutingSourceOptions) {
    const namespace = options.namespace ?? 'default';
    const base = options.url.replace(/\/+$/, '');
    this.#url = `${base}/admin/v2/namespaces/${encodeURIComponent(namespace)}/routing-data`;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_DIRECTORY_TIMEOUT_MS;
    this.#fetch = options.fetch ?? fetch;
    this.#allowNoKeys = options.allowNoKeys ?? false;
    this.description = `directory ${base} namespace "${namespace}"`;
  }

  /** Steps: 1. GET with a timeout; 2. a non-200 answer is unavailability; 3. validate the body. */
  async read(options: CallOptions = {}): Promise<RoutingData> {
    const signals = [AbortSignal.timeout(this.#timeoutMs), ...(options.signal ? [options.signal] : [])];
    let body: unknown;
    try {
      const response = await this.#fetch(this.#url, { signal: anySignal(...signals), headers: { accept: 'application/json' } });
      if (response.status !== 200) {
        const text = await response.text();
        throw new StoreUnavailableError(`${this.description} answered ${response.status} to GET ${this.#url}: ${errorMessageOf(text)}`);
      }
      body = await response.json();
    } catch (error) {
      if (options.signal?.aborted) throw new AbortedError(`reading routing data from ${this.description}`, options.signal.reason);
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`cannot read routing data from ${this.description}: ${describeFetchFailure(this.#url, error, this.#timeoutMs)}`, { cause: error });
    }
    if (!isJsonObject(body) || !Array.isArray(body['routingData'])) {
      throw new CorruptDocumentError(this.#url, 'expected { "routingData": [{ "realm", "shardingKeys" }] }');
    }
    return RoutingData.fromRealmList(body['routingData'] as unknown as RealmShardingKeys[], { allowNoKeys: this.#allowNoKeys });
  }

  async close(): Promise<void> {}
}

/** The message of an error body (baton's `message`, Helix's `error`), else the text's start. */
export function errorMessageOf(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (isJsonObject(body)) {
      const message = body['message'] ?? body['error'];
      if (typeof message === 'string') return message;
    }
  } catch {
    // not JSON: show the text itself
  }
  return text.slice(0, 200);
}
