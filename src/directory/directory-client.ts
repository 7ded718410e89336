/**
 * A small HTTP client for the directory service's write and read paths (the CLI and scripts
 * use it; a federated client reads through DirectoryRoutingSource). It speaks Helix's REST API,
 * so it works against Helix REST's own directory too: a key goes in the URL as its path without
 * the leading "/" (each segment percent-encoded), writes without a body carry
 * `Content-Type: application/json` and an empty body, as Helix's clients send them. Refusals
 * come back as typed errors: 400 InvalidArgumentError, 404 NotFoundError, 401 RefusedError (a
 * missing or wrong token), anything else StoreUnavailableError (with the server's `message` or Helix's `error`).
 */
import { anySignal } from '../async.js';
import type { CallOptions } from '../contract/contract.js';
import { AbortedError, InvalidArgumentError, NotFoundError, RefusedError, StoreUnavailableError } from '../errors.js';
import { DEFAULT_DIRECTORY_TIMEOUT_MS, DirectoryRoutingSource, errorMessageOf } from '../federation/directory-routing-source.js';
import { describeFetchFailure } from '../federation/fetch-failure.js';
import { validateShardingKey } from '../federation/sharding-key.js';
import type { RoutingData } from '../federation/routing-data.js';

export interface DirectoryClientOptions {
  /** The directory's base URL, for example `http://msds.internal:8100`. */
  readonly url: string;
  /** The routing namespace (default `default`). */
  readonly namespace?: string;
  /** Bearer token for writes. */
  readonly token?: string;
  /** How long one request may take, ms of real time (default 5000, as for routing reads). */
  readonly timeoutMs?: number;
}

export class DirectoryClient {
  readonly #base: string;
  readonly #options: DirectoryClientOptions;

  constructor(options: DirectoryClientOptions) {
    this.#options = options;
    this.#base = `${options.url.replace(/\/+$/, '')}/admin/v2/namespaces/${encodeURIComponent(options.namespace ?? 'default')}`;
  }

  /** The namespace's routing data, validated. */
  routingData(options?: CallOptions): Promise<RoutingData> {
    const { url, namespace, timeoutMs } = this.#options;
    return new DirectoryRoutingSource({ url, allowNoKeys: true, ...(namespace === undefined ? {} : { namespace }), ...(timeoutMs === undefined ? {} : { timeoutMs }) }).read(options);
  }

  /** Replaces the namespace's routing data. */
  async putRoutingData(routing: RoutingData, options?: CallOptions): Promise<void> {
    await this.#send('PUT', '/routing-data', options, routing.toRecord());
  }

  /** Adds `key` (a valid sharding key) to `realm` (creating the realm); adding it twice is a no-op. */
  async addShardingKey(realm: string, key: string, options?: CallOptions): Promise<void> {
    await this.#send('PUT', `/metadata-store-realms/${encodeURIComponent(realm)}/sharding-keys/${keyInUrl(validateShardingKey(key))}`, options);
  }

  /** Removes `key` from `realm`; removing a key that is not there is a no-op. */
  async removeShardingKey(realm: string, key: string, options?: CallOptions): Promise<void> {
    await this.#send('DELETE', `/metadata-store-realms/${encodeURIComponent(realm)}/sharding-keys/${keyInUrl(validateShardingKey(key))}`, options);
  }

  async #send(method: 'PUT' | 'DELETE', path: string, options: CallOptions = {}, body?: unknown): Promise<unknown> {
    const url = `${this.#base}${path}`;
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    if (this.#options.token !== undefined) headers['authorization'] = `Bearer ${this.#options.token}`;
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_DIRECTORY_TIMEOUT_MS;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        signal: anySignal(AbortSignal.timeout(timeoutMs), options.signal),
        body: body === undefined ? '' : JSON.stringify(body),
      });
    } catch (error) {
      if (options.signal?.aborted) throw new AbortedError(`${method} ${url}`, options.signal.reason);
      throw new StoreUnavailableError(describeFetchFailure(url, error, timeoutMs), { cause: error });
    }
    const text = await response.text();
    if (response.ok) return text;
    const message = `${method} ${url}: ${errorMessageOf(text)}`;
    if (response.status === 400) throw new InvalidArgumentError(message);
    if (response.status === 404) throw new NotFoundError(path, message);
    if (response.status === 401) throw new RefusedError(`the directory refused the bearer token (401); pass --token-file F or set BATON_DIRECTORY_TOKEN (${message})`);
    throw new StoreUnavailableError(`directory answered ${response.status}: ${message}`);
  }
}

/** A key as Helix's `{sharding-key: .+}` URL template takes it: the path without its leading "/". */
function keyInUrl(key: string): string {
  return key.slice(1).split('/').map(encodeURIComponent).join('/');
}
