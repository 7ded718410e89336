import type { ChangeListener, Fence, Kv, KvEntry, KvListOptions, KvWriteOptions, CallOptions, WatchOptions } from '../../contract/contract.js';
import type { Json } from '../../contract/json.js';
import { validateKey, validatePrefix } from '../../contract/names.js';
import { CorruptDocumentError, FencedError, InvalidArgumentError, VersionConflictError } from '../../errors.js';
import type { SqlParam, SqlRow } from './dialect.js';
import type { SqlContext } from './sql-context.js';
import type { PollSource } from './shared-polls.js';
import { anySignal, raceSignal } from '../../async.js';

function parseValue(key: string, text: unknown): Json {
  try {
    return JSON.parse(String(text)) as Json;
  } catch (error) {
    throw new CorruptDocumentError(key, 'the stored value is not valid JSON; rewrite or delete the key', { cause: error });
  }
}

function serialize(key: string, value: Json): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(`value of key "${key}" cannot be stored as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof text !== 'string') throw new InvalidArgumentError(`value of key "${key}" cannot be stored as JSON (got ${typeof value})`);
  return text;
}

/** The prefixes of `prefixes` that no other of them encloses: the keys under them are the keys under all. */
function outermost(prefixes: readonly string[]): string[] {
  const sorted = [...prefixes].sort();
  const kept: string[] = [];
  for (const prefix of sorted) if (!kept.some((outer) => prefix.startsWith(outer))) kept.push(prefix);
  return kept;
}

/** A key's stored row: its version, and whether it is a tombstone (a deleted key). */
interface StoredRow {
  readonly version: number;
  readonly deleted: boolean;
}

/** One conditional write statement and the version the key has once it lands. */
interface Change {
  readonly statement: string;
  readonly params: readonly SqlParam[];
  readonly version: number;
}

/** Versioned JSON documents in `{prefix}kv`; a fenced write checks the lease row in its one statement. */
export class SqlKv implements Kv {
  readonly #ctx: SqlContext;

  constructor(ctx: SqlContext) {
    this.#ctx = ctx;
  }

  async get(key: string, options?: CallOptions): Promise<KvEntry | null> {
    validateKey(key);
    this.#ctx.checkOpen();
    const { rows } = await raceSignal(this.#ctx.connection.run(this.#ctx.sql.kvGet, [this.#ctx.cluster, key]), options?.signal, 'kv get');
    const row = rows[0];
    if (row === undefined) return null;
    return { key, value: parseValue(key, row['value']), version: Number(row['version']) };
  }

  async list(prefix: string, options?: KvListOptions): Promise<KvEntry[]> {
    validatePrefix(prefix);
    this.#ctx.checkOpen();
    const { rows } = await raceSignal(
      this.#ctx.connection.readBatched(this.#ctx.sql.kvList, [this.#ctx.cluster, prefix.length, prefix]),
      options?.signal,
      'kv list',
    );
    const entries: KvEntry[] = [];
    for (const row of rows) {
      const key = String(row['k']);
      try {
        entries.push({ key, value: parseValue(key, row['value']), version: Number(row['version']) });
      } catch (error) {
        if (!(error instanceof CorruptDocumentError)) throw error;
        options?.onCorrupt?.(error);
      }
    }
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * Writes `value` by {@link SqlKv.#write}: version 1 on a key never seen, else the row's
   * version + 1 (over a tombstone too: versions never repeat).
   */
  async put(key: string, value: Json, options?: KvWriteOptions): Promise<number> {
    validateKey(key);
    const text = serialize(key, value);
    const { sql, cluster } = this.#ctx;
    return this.#write(key, options, (row) =>
      row === null
        ? { statement: options?.fence ? sql.kvInsertFenced : sql.kvInsert, params: [cluster, key, text], version: 1 }
        : { statement: options?.fence ? sql.kvUpdateFenced : sql.kvUpdate, params: [text, cluster, key, row.version], version: row.version + 1 },
    );
  }

  /** Deletes by {@link SqlKv.#write}: the live row becomes a tombstone at version + 1. */
  async delete(key: string, options?: KvWriteOptions): Promise<void> {
    validateKey(key);
    const { sql, cluster } = this.#ctx;
    await this.#write(key, options, (row) =>
      row === null || row.deleted
        ? null
        : { statement: options?.fence ? sql.kvDeleteFenced : sql.kvDelete, params: [cluster, key, row.version], version: 0 },
    );
  }

  watch(prefix: string, listener: ChangeListener, options: WatchOptions): void {
    validatePrefix(prefix);
    this.#ctx.checkOpen();
    const signal = anySignal(options.signal, this.#ctx.closed);
    if (signal.aborted) return;
    this.#watchedPrefixes.set(prefix, (this.#watchedPrefixes.get(prefix) ?? 0) + 1);
    signal.addEventListener('abort', () => this.#unwatch(prefix), { once: true });
    // Each watch takes the rows under its own prefix (keys are ASCII, compared byte by byte on every engine).
    const view = (rows: readonly SqlRow[]) => {
      const mine = rows.filter((r) => String(r['k']).startsWith(prefix));
      return {
        fingerprint: mine
          .map((r) => `${String(r['k'])}:${String(r['version'])}:${String(r['updated_at'])}`)
          .sort()
          .join('\n'),
        changedAt: Math.max(0, ...mine.map((r) => Number(r['updated_at']))),
      };
    };
    this.#ctx.polls.watch(this.#poll, view, listener, signal);
  }

  /**
   * The KV watches of a backend share one poll, whatever their prefixes: it reads the keys
   * under every watched prefix in one statement (issue 12: an idle node's four KV watches were
   * four statements per poll period, most of what a node on MariaDB or SQLite sent at rest).
   * The prefixes it reads are updated before a new watch joins, and a joiner's first reading
   * is a read begun after it joined (SharedPolls), so it always covers the joiner's prefix.
   */
  readonly #poll: PollSource<readonly SqlRow[]> = {
    key: 'kv',
    read: async () => {
      const prefixes = outermost([...this.#watchedPrefixes.keys()]);
      if (prefixes.length === 0) return [];
      const params: SqlParam[] = [this.#ctx.cluster];
      for (const prefix of prefixes) params.push(prefix.length, prefix);
      return (await this.#ctx.connection.readBatched(this.#ctx.sql.kvVersionsUnder(prefixes.length), params)).rows;
    },
    // Every KV write announces itself (#landed: runAndAnnounce), and nothing else changes a key.
    unannouncedChangeInMs: () => Infinity,
  };

  /** Watches per watched prefix. */
  readonly #watchedPrefixes = new Map<string, number>();

  #unwatch(prefix: string): void {
    const left = (this.#watchedPrefixes.get(prefix) ?? 1) - 1;
    if (left > 0) this.#watchedPrefixes.set(prefix, left);
    else this.#watchedPrefixes.delete(prefix);
  }

  /**
   * One compare-and-set, retried while it loses a race (docs/safety.md rule 7: no lock is
   * held across a client round trip, so a writer frozen anywhere in here holds nothing that
   * delays a takeover):
   *  1. read the key's row (none: never written; a tombstone: deleted, an absent key);
   *  2. `expectVersion` given and different: VersionConflictError (FencedError first when the
   *     fence no longer holds, so a deposed writer always learns that it was deposed);
   *  3. run ONE statement that lands only on exactly the version read and, with a fence, only
   *     while the fence's term is held and unexpired on the DB clock (see statements.ts);
   *  4. it matched nothing: FencedError if the fence no longer holds; else another writer
   *     changed the key between 1 and 3: read again (each retry follows a write that landed).
   */
  async #write(key: string, options: KvWriteOptions | undefined, change: (row: StoredRow | null) => Change | null): Promise<number> {
    this.#ctx.checkOpen();
    const { connection, sql, cluster } = this.#ctx;
    const expect = options?.expectVersion;
    const signal = options?.signal;
    for (;;) {
      const { rows } = await raceSignal(connection.run(sql.kvVersion, [cluster, key]), signal, 'kv write');
      const read = rows[0];
      const row = read === undefined ? null : { version: Number(read['version']), deleted: Number(read['deleted']) === 1 };
      const current = row === null || row.deleted ? null : row.version; // a tombstone is an absent key
      if (expect !== undefined && expect !== current) {
        await this.#checkFence(options?.fence, signal);
        throw new VersionConflictError(key, expect, current);
      }
      const next = change(row);
      if (next === null) {
        await this.#checkFence(options?.fence, signal); // nothing to write, but a deposed writer is told so
        return 0;
      }
      if (await this.#landed(next, options?.fence, signal)) return next.version;
      await this.#checkFence(options?.fence, signal);
    }
  }

  /** Runs one write statement; false when it matched nothing or lost a create race on the key. */
  async #landed(change: Change, fence: Fence | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    const { connection, cluster } = this.#ctx;
    const params = fence ? [...change.params, cluster, fence.election, fence.sessionId, fence.term] : change.params;
    try {
      const { changes } = await raceSignal(connection.runAndAnnounce(change.statement, params, cluster), signal, 'kv write');
      return changes > 0;
    } catch (error) {
      if (connection.dialect.isUniqueViolation(error)) return false; // created concurrently: read again
      throw error;
    }
  }

  /** Rejects FencedError unless `fence` (if any) names a term still held and unexpired. */
  async #checkFence(fence: Fence | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (fence === undefined) return;
    const { rows } = await raceSignal(
      this.#ctx.connection.run(this.#ctx.sql.fenceCheck, [this.#ctx.cluster, fence.election, fence.sessionId, fence.term]),
      signal,
      'kv write',
    );
    if (rows.length === 0) throw new FencedError(fence.election, fence.term);
  }
}
