/**
 * Store URLs: which store a node uses, as one string. Each kind of store is one
 * {@link StoreScheme} entry in open-store.ts; adding a store means adding one entry.
 */
import type { Backend, BackendKind, CallOptions } from '../contract/contract.js';
import type { Clock } from '../clock.js';
import { ConfigError } from '../errors.js';

/** A validated store URL. */
export interface StoreUrl {
  /** The scheme as written, without the colon (`sqlite`, `postgresql`, `none`, ...). */
  readonly scheme: string;
  readonly kind: BackendKind;
  /** The URL as given. */
  readonly url: string;
  /** Where it points, safe to print (a path, or the URL without its password). */
  readonly display: string;
}

export interface OpenStoreOptions extends CallOptions {
  readonly cluster: string;
  /** SQL table prefix (default `baton_`). */
  readonly tablePrefix?: string | undefined;
  /** Apply SQL schema migrations at open (default true). */
  readonly migrate?: boolean | undefined;
  /**
   * Open for reading only (the CLI's read commands): create nothing (no tables, no znodes) and
   * fail with NotFoundError('store') when the store holds no baton data at all. Default false.
   */
  readonly readOnly?: boolean | undefined;
  /** How long to wait for the first connection to a network store, ms (default: the driver's). */
  readonly connectTimeoutMs?: number | undefined;
  /** Monotonic clock for local deadlines (default: the system clock). */
  readonly clock?: Clock | undefined;
  /** Poll period of watches made through the backend, ms (default 500). */
  readonly pollIntervalMs?: number | undefined;
}

/** One kind of store: the URL schemes it answers to, how to check a URL, how to open it. */
export interface StoreScheme {
  /** Schemes without the colon, e.g. `['postgres', 'postgresql']`. */
  readonly schemes: readonly string[];
  readonly kind: BackendKind;
  /** An example URL, shown when a URL is rejected. */
  readonly example: string;
  /** Checks `url` without any I/O; throws ConfigError('store', ...). */
  parse(url: string, scheme: string): StoreUrl;
  open(url: StoreUrl, options: OpenStoreOptions): Promise<Backend>;
}

/** The scheme of `url` (before the first `:`), lower-cased, or the whole word if it has none. */
export function schemeOf(url: string): string {
  const colon = url.indexOf(':');
  return (colon === -1 ? url : url.slice(0, colon)).toLowerCase();
}

/**
 * Checks a network URL (`scheme://[user[:password]@]host[:port]/database`) and returns it with
 * the password masked for display. Throws ConfigError('store', ...) saying what is wrong.
 */
export function parseNetworkUrl(url: string, scheme: string, kind: BackendKind, example: string): StoreUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError('store', `"${url}" is not a valid URL; expected for example ${example}`, { cause: error });
  }
  if (!url.toLowerCase().startsWith(`${scheme}://`) || parsed.hostname === '') {
    throw new ConfigError('store', `"${url}" has no host; expected for example ${example}`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new ConfigError('store', `"${url}" must name one database after the host; expected for example ${example}`);
  }
  if (parsed.password !== '') parsed.password = '***';
  return Object.freeze({ scheme, kind, url, display: parsed.toString() });
}
