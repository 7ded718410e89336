import type { CallOptions, ChangeListener, Kv, KvEntry, KvListOptions, KvWriteOptions, WatchOptions } from '../../contract/contract.js';
import type { Json } from '../../contract/json.js';
import { validateKey, validatePrefix } from '../../contract/names.js';
import { CorruptDocumentError, InvalidArgumentError } from '../../errors.js';
import type { MemoryCluster } from './memory-cluster.js';
import { anySignal } from '../../async.js';

/** What the KV needs from its backend: a usability check and the signal that ends its watches. */
export interface KvConnection {
  /** Throws ClosedError, AbortedError or StoreUnavailableError when the call may not proceed. */
  check(what: string, options?: CallOptions): void;
  /** Aborts when the backend closes. */
  readonly closed: AbortSignal;
}

/** The KV of one MemoryStore cluster, through one backend. Values are stored as JSON text. */
export class MemoryKv implements Kv {
  readonly #cluster: MemoryCluster;
  readonly #connection: KvConnection;

  constructor(cluster: MemoryCluster, connection: KvConnection) {
    this.#cluster = cluster;
    this.#connection = connection;
  }

  async get(key: string, options?: CallOptions): Promise<KvEntry | null> {
    validateKey(key);
    this.#connection.check('kv.get', options);
    const stored = this.#cluster.getText(key);
    return stored === undefined ? null : { key, value: parseDocument(key, stored.text), version: stored.version };
  }

  async list(prefix: string, options?: KvListOptions): Promise<KvEntry[]> {
    validatePrefix(prefix);
    this.#connection.check('kv.list', options);
    const entries: KvEntry[] = [];
    for (const [key, stored] of this.#cluster.listText(prefix)) {
      try {
        entries.push({ key, value: parseDocument(key, stored.text), version: stored.version });
      } catch (error) {
        if (!(error instanceof CorruptDocumentError)) throw error;
        options?.onCorrupt?.(error);
      }
    }
    return entries;
  }

  async put(key: string, value: Json, options?: KvWriteOptions): Promise<number> {
    validateKey(key);
    const text = serialize(key, value);
    checkExpectVersion(options?.expectVersion);
    this.#connection.check('kv.put', options);
    return this.#cluster.write(key, text, options?.expectVersion, options?.fence);
  }

  async delete(key: string, options?: KvWriteOptions): Promise<void> {
    validateKey(key);
    checkExpectVersion(options?.expectVersion);
    this.#connection.check('kv.delete', options);
    this.#cluster.write(key, null, options?.expectVersion, options?.fence);
  }

  watch(prefix: string, listener: ChangeListener, options: WatchOptions): void {
    validatePrefix(prefix);
    this.#connection.check('kv.watch');
    const topicPrefix = `kv:${prefix}`;
    const signal = anySignal(options.signal, this.#connection.closed);
    this.#cluster.changes.subscribe((topic) => topic.startsWith(topicPrefix), listener, signal);
  }
}

/** Parses stored text; CorruptDocumentError naming `key` when it is not JSON. */
export function parseDocument(key: string, text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw new CorruptDocumentError(key, 'not valid JSON', { cause: error });
  }
}

function serialize(key: string, value: Json): string {
  const text = value === undefined ? undefined : JSON.stringify(value);
  if (text === undefined) throw new InvalidArgumentError(`value for key "${key}" is not JSON`);
  return text;
}

function checkExpectVersion(expectVersion: number | null | undefined): void {
  if (expectVersion === undefined || expectVersion === null) return;
  if (!Number.isInteger(expectVersion) || expectVersion < 1) {
    throw new InvalidArgumentError(`expectVersion must be a positive whole number or null, got ${String(expectVersion)}`);
  }
}
