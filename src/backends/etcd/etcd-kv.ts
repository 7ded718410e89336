import type { CallOptions, ChangeListener, Fence, Kv, KvEntry, KvListOptions, KvWriteOptions, WatchOptions } from '../../contract/contract.js';
import type { Json } from '../../contract/json.js';
import { CorruptDocumentError, FencedError, InvalidArgumentError, VersionConflictError } from '../../errors.js';
import type { EtcdClient, Message } from './etcd-client.js';
import { toContractError } from './etcd-error.js';
import { bytes, prefixEnd, toNumber, type EtcdLayout } from './etcd-layout.js';
import { METHODS } from './etcd-proto.js';

export interface EtcdKvOptions {
  readonly client: EtcdClient;
  readonly layout: EtcdLayout;
  /**
   * The candidate key behind a fence when this process's session holds that term right now
   * (checked on the monotonic clock), else null: a term that ended here is refused before
   * anything is sent.
   */
  readonly resolveFence: (fence: Fence) => string | null;
  /** Records the store revision a read or write saw (watches start after it). */
  readonly sawRevision: (header: unknown) => void;
  readonly watchPrefix: (prefix: string, listener: ChangeListener, options: WatchOptions) => void;
}

/**
 * Largest value stored, bytes: etcd refuses requests above `--max-request-bytes` (1.5 MiB by
 * default); 1 MB leaves room for the key and the transaction around it, and matches the
 * ZooKeeper backend's limit, so a document that fits one store fits the other.
 */
const MAX_VALUE_BYTES = 1_000_000;

/**
 * KV over etcd keys under `kv/`, values JSON text. Contract version = the key's mod revision:
 * etcd's store revision only grows, cluster-wide, so a key's versions never repeat, not even
 * after a delete and a re-create (etcd's own per-key `version` starts again at 1 after a
 * delete and is not used). Every write is one transaction: its compares are the expected
 * version and, for a fenced write, the fence (see #fenceCompares); when they fail, the same
 * transaction reads what is needed to say which one failed.
 */
export class EtcdKv implements Kv {
  readonly #o: EtcdKvOptions;

  constructor(options: EtcdKvOptions) {
    this.#o = options;
  }

  async get(key: string, options: CallOptions = {}): Promise<KvEntry | null> {
    const path = this.#o.layout.kv(key);
    const response = await this.#read({ key: bytes(path) }, options);
    const kv = (response['kvs'] as Message[])[0];
    return kv ? entryOf(key, kv) : null;
  }

  async list(prefix: string, options: KvListOptions = {}): Promise<KvEntry[]> {
    const path = this.#o.layout.kvPrefix(prefix);
    const response = await this.#read({ key: bytes(path), range_end: prefixEnd(path) }, options);
    const entries: KvEntry[] = [];
    const root = this.#o.layout.kvRoot.length;
    for (const kv of response['kvs'] as Message[]) {
      const key = (kv['key'] as Buffer).toString('utf8').slice(root);
      try {
        const entry = entryOf(key, kv);
        if (entry) entries.push(entry);
      } catch (error) {
        if (!(error instanceof CorruptDocumentError) || !options.onCorrupt) throw error;
        options.onCorrupt(error);
      }
    }
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async put(key: string, value: Json, options: KvWriteOptions = {}): Promise<number> {
    const path = this.#o.layout.kv(key);
    const data = encode(key, value);
    const response = await this.#write(key, path, { request_put: { key: bytes(path), value: data } }, options);
    return toNumber((response['header'] as Message)['revision']);
  }

  async delete(key: string, options: KvWriteOptions = {}): Promise<void> {
    const path = this.#o.layout.kv(key);
    await this.#write(key, path, { request_delete_range: { key: bytes(path) } }, options);
  }

  watch(prefix: string, listener: ChangeListener, options: WatchOptions): void {
    this.#o.watchPrefix(this.#o.layout.kvPrefix(prefix), listener, options);
  }

  async #read(range: object, options: CallOptions): Promise<Message> {
    try {
      const response = await this.#o.client.unary(METHODS.range, range, { signal: options.signal, idempotent: true });
      this.#o.sawRevision(response['header']);
      return response;
    } catch (error) {
      throw toContractError(error);
    }
  }

  /**
   * One transaction: 1. compare the expected version (mod revision; `null`: create revision 0,
   * absent) and the fence; 2. on success, the write; 3. on failure, read the key and the fence's
   * keys, to tell a version conflict from a lost term.
   */
  async #write(key: string, path: string, op: object, options: KvWriteOptions): Promise<Message> {
    const compare: object[] = [];
    const failure: object[] = [{ request_range: { key: bytes(path) } }];
    const expect = options.expectVersion;
    if (expect === null) compare.push({ key: bytes(path), target: 'CREATE', result: 'EQUAL', create_revision: 0 });
    else if (expect !== undefined) compare.push({ key: bytes(path), target: 'MOD', result: 'EQUAL', mod_revision: expect });
    const fence = options.fence;
    if (fence) {
      const candidate = this.#o.resolveFence(fence);
      if (candidate === null) throw new FencedError(fence.election, fence.term);
      compare.push(...fenceCompares(this.#o.layout.election(fence.election), candidate, fence.term));
      failure.push({ request_range: { key: bytes(candidate) } });
    }
    let response: Message;
    try {
      response = await this.#o.client.unary(METHODS.txn, { compare, success: [op], failure }, { signal: options.signal });
    } catch (error) {
      throw toContractError(error);
    }
    this.#o.sawRevision(response['header']);
    if (response['succeeded'] === true) return response;
    const [current, holder] = (response['responses'] as Message[]).map((r) => ((r['response_range'] as Message)['kvs'] as Message[])[0]);
    if (fence && (holder === undefined || toNumber(holder['create_revision']) !== fence.term)) throw new FencedError(fence.election, fence.term);
    const actual = current ? toNumber(current['mod_revision']) : null;
    if (expect !== undefined && actual !== expect) throw new VersionConflictError(key, expect, actual);
    // Our candidate is there with its revision, yet a compare failed: a lower candidate exists.
    if (fence) throw new FencedError(fence.election, fence.term);
    throw new VersionConflictError(key, expect ?? null, actual);
  }
}

/**
 * The fence as transaction compares (one round trip, checked atomically with the write):
 * 1. the writer's candidate key still exists with create revision = term (it was not deleted,
 *    expired with its lease, or created again);
 * 2. every candidate of the election was created at or after `term`: nobody is ahead of it, so
 *    the candidate still leads (a range compare holds for every key in the range).
 */
export function fenceCompares(electionPrefix: string, candidate: string, term: number): object[] {
  return [
    { key: bytes(candidate), target: 'CREATE', result: 'EQUAL', create_revision: term },
    { key: bytes(electionPrefix), range_end: prefixEnd(electionPrefix), target: 'CREATE', result: 'GREATER', create_revision: term - 1 },
  ];
}

function entryOf(key: string, kv: Message): KvEntry | null {
  const data = kv['value'] as Buffer;
  try {
    return { key, value: JSON.parse(data.toString('utf8')) as Json, version: toNumber(kv['mod_revision']) };
  } catch (error) {
    throw new CorruptDocumentError(key, `not valid JSON (${data.length} bytes)`, { cause: error });
  }
}

function encode(key: string, value: Json): Buffer {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(`value of key "${key}" cannot be stored as JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw new InvalidArgumentError(`value of key "${key}" is not JSON`);
  const data = Buffer.from(text, 'utf8');
  if (data.length > MAX_VALUE_BYTES) {
    throw new InvalidArgumentError(`value of key "${key}" is ${data.length} bytes; the etcd backend stores at most ${MAX_VALUE_BYTES} bytes per key`);
  }
  return data;
}
