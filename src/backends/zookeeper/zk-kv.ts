import type { ChangeListener, Fence, Kv, KvEntry, KvListOptions, KvWriteOptions, WatchOptions, CallOptions } from '../../contract/contract.js';
import type { Json } from '../../contract/json.js';
import { validateKey } from '../../contract/names.js';
import { CorruptDocumentError, FencedError, InvalidArgumentError, VersionConflictError } from '../../errors.js';
import type { ZkClient, ZkOp, ZkStat } from '../../zk-client/zk-client.js';
import type { KvPaths } from './zk-kv-root.js';
import { isZkError, toContractError } from '../../zk-client/zookeeper-error.js';
import { fanOutSignal } from '../../async.js';

/** The znode a fence stands for: the holder's own candidate znode and its data version. */
export interface FenceNode {
  readonly path: string;
  readonly version: number;
}

export interface ZkKvOptions {
  readonly client: () => Promise<ZkClient>;
  readonly layout: KvPaths;
  /** The holder's candidate znode for a fence this process holds, or null when it holds no such term. */
  readonly resolveFence: (fence: Fence) => FenceNode | null;
  readonly watch: (root: string, depth: number, listener: ChangeListener, options: WatchOptions) => void;
}

/**
 * How often a write retries after losing a race with another writer (a parent deleted under
 * it, a key created between our read and our create). Each retry reads again; contention on
 * one key settles in a couple of rounds.
 */
const MAX_RACE_RETRIES = 8;

/**
 * Largest value we store, bytes: a request above the server's `jute.maxbuffer` (default just
 * under 1 MiB, counting the whole packet) makes the server drop the connection, which would
 * look like an outage. A margin of ~48 KiB leaves room for the path and the multi's framing.
 */
const MAX_VALUE_BYTES = 1_000_000;

/**
 * KV over persistent znodes under `kv/`. Contract version = znode data version + 1. A znode
 * without data is an absent key (a key's value is JSON, never empty): a parent of deeper keys,
 * or a deleted key. A delete empties the znode instead of removing it, so a key created again
 * continues the znode's version: versions of a key never repeat (a removed and re-created
 * znode would start again at 0, and a compare-and-set holding a version from before the delete
 * would land on the new document). Deleted keys therefore keep a small znode each. Every
 * write is one `multi`: a fenced one adds a `check` of the holder's candidate znode, so a
 * deposed holder's write fails as a whole (FencedError) and nothing lands.
 */
export class ZkKv implements Kv {
  readonly #o: ZkKvOptions;

  constructor(options: ZkKvOptions) {
    this.#o = options;
  }

  async get(key: string, options: CallOptions = {}): Promise<KvEntry | null> {
    const path = this.#o.layout.kvPath(key);
    try {
      const zk = await this.#o.client();
      const { data, stat } = await zk.getData(path, options);
      return entryOf(key, data, stat);
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) return null;
      throw toContractError(error);
    }
  }

  async list(prefix: string, options: KvListOptions = {}): Promise<KvEntry[]> {
    const root = this.#o.layout.kvPrefixPath(prefix);
    const entries: KvEntry[] = [];
    try {
      const zk = await this.#o.client();
      // The walk reads every level's children in parallel, each read listening on the signal.
      const walkSignal = fanOutSignal(options.signal);
      try {
        await this.#walk(zk, root, entries, walkSignal === undefined ? options : { ...options, signal: walkSignal });
      } finally {
        walkSignal?.dispose();
      }
    } catch (error) {
      throw toContractError(error);
    }
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async put(key: string, value: Json, options: KvWriteOptions = {}): Promise<number> {
    const path = this.#o.layout.kvPath(key);
    const data = encode(key, value);
    try {
      const zk = await this.#o.client();
      const fence = this.#fenceOps(options.fence);
      for (let attempt = 0; ; attempt++) {
        const write = await this.#planPut(zk, key, path, data, options);
        if (write.op === 'create') await zk.mkdirs(parentOf(path), options);
        try {
          const results = await zk.multi([...fence, write], options);
          const last = results[results.length - 1];
          return last?.op === 'setData' ? last.stat.version + 1 : 1;
        } catch (error) {
          this.#fenceFailure(error, options.fence, fence.length);
          const conflict = isZkError(error, 'NODE_EXISTS', 'BAD_VERSION', 'NO_NODE');
          if (!conflict || attempt >= MAX_RACE_RETRIES) throw error;
          // A version we were told to expect is final; otherwise we lost a race: read and plan again.
          if (typeof options.expectVersion === 'number') await this.#conflict(zk, key, path, options.expectVersion);
        }
      }
    } catch (error) {
      throw toContractError(error);
    }
  }

  async delete(key: string, options: KvWriteOptions = {}): Promise<void> {
    const path = this.#o.layout.kvPath(validateKey(key));
    try {
      const zk = await this.#o.client();
      const fence = this.#fenceOps(options.fence);
      const stat = await zk.exists(path, options);
      const current = stat && stat.dataLength > 0 ? stat : null;
      if (options.expectVersion !== undefined && (current?.version ?? null) !== expectedZnodeVersion(options.expectVersion)) {
        throw new VersionConflictError(key, options.expectVersion, current ? current.version + 1 : null);
      }
      if (!current) {
        // Nothing to delete, but a fenced caller must still hold its term.
        if (fence.length > 0) {
          await zk.multi(fence, options).catch((e: unknown) => {
            this.#fenceFailure(e, options.fence, fence.length);
            throw e;
          });
        }
        return;
      }
      // Emptied, never removed: the znode keeps counting versions (see the class comment).
      const op: ZkOp = { op: 'setData', path, data: Buffer.alloc(0), version: current.version };
      try {
        await zk.multi([...fence, op], options);
      } catch (error) {
        this.#fenceFailure(error, options.fence, fence.length);
        if (isZkError(error, 'BAD_VERSION', 'NO_NODE')) {
          if (options.expectVersion !== undefined) return await this.#conflict(zk, key, path, options.expectVersion);
          return await this.delete(key, options); // raced with another writer: look again
        }
        throw error;
      }
    } catch (error) {
      throw toContractError(error);
    }
  }

  watch(prefix: string, listener: ChangeListener, options: WatchOptions): void {
    this.#o.watch(this.#o.layout.kvPrefixPath(prefix), Infinity, listener, options);
  }

  /** The write op for a put: create when absent, else setData conditional on what we read. */
  async #planPut(zk: ZkClient, key: string, path: string, data: Buffer, options: KvWriteOptions): Promise<ZkOp> {
    const expect = options.expectVersion;
    const stat = await zk.exists(path, options);
    const actual = stat && stat.dataLength > 0 ? stat.version + 1 : null;
    if (typeof expect === 'number') {
      // Read first: an empty parent znode is an absent key even when its version would match.
      if (actual !== expect) throw new VersionConflictError(key, expect, actual);
      return { op: 'setData', path, data, version: expect - 1 };
    }
    if (stat === null) return { op: 'create', path, data };
    if (expect === null && actual !== null) throw new VersionConflictError(key, null, actual);
    return { op: 'setData', path, data, version: stat.version };
  }

  /** Throws the VersionConflictError that a failed conditional write stands for. */
  async #conflict(zk: ZkClient, key: string, path: string, expected: number | null): Promise<never> {
    const stat = await zk.exists(path);
    const actual = stat && stat.dataLength > 0 ? stat.version + 1 : null;
    throw new VersionConflictError(key, expected, actual);
  }

  #fenceOps(fence: Fence | undefined): ZkOp[] {
    if (!fence) return [];
    const node = this.#o.resolveFence(fence);
    if (!node) throw new FencedError(fence.election, fence.term);
    return [{ op: 'check', path: node.path, version: node.version }];
  }

  /** A multi that failed on its fence check (op 0) means the term is over. */
  #fenceFailure(error: unknown, fence: Fence | undefined, fenceOps: number): void {
    if (fence && fenceOps > 0 && isZkError(error) && error.opIndex === 0 && !isZkError(error, 'CONNECTION_LOSS')) {
      throw new FencedError(fence.election, fence.term);
    }
  }

  async #walk(zk: ZkClient, path: string, out: KvEntry[], options: KvListOptions): Promise<void> {
    let children: string[];
    let node: { data: Buffer; stat: ZkStat };
    try {
      [node, children] = await Promise.all([zk.getData(path, options), zk.getChildren(path, options)]);
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) return; // deleted while we walked
      throw error;
    }
    if (path !== this.#o.layout.kv) {
      const key = this.#o.layout.keyOf(path);
      try {
        const entry = entryOf(key, node.data, node.stat);
        if (entry) out.push(entry);
      } catch (error) {
        if (!(error instanceof CorruptDocumentError)) throw error;
        options.onCorrupt?.(error); // skipped either way: one bad document must not hide the rest
      }
    }
    await Promise.all(children.map((child) => this.#walk(zk, `${path}/${child}`, out, options)));
  }
}

function entryOf(key: string, data: Buffer, stat: ZkStat): KvEntry | null {
  if (data.length === 0) return null; // only a parent of deeper keys
  try {
    return { key, value: JSON.parse(data.toString('utf8')) as Json, version: stat.version + 1 };
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
    throw new InvalidArgumentError(`value of key "${key}" is ${data.length} bytes; ZooKeeper keeps at most ${MAX_VALUE_BYTES} bytes per znode`);
  }
  return data;
}

function expectedZnodeVersion(expect: number | null): number | null {
  return expect === null ? null : expect - 1;
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}
