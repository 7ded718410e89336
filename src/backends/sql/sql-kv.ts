import type { ChangeListener, Fence, Kv, KvEntry, KvListOptions, KvWriteOptions, CallOptions, WatchOptions } from '../../backend/contract.js';
import type { Json } from '../../backend/json.js';
import { validateKey, validatePrefix } from '../../backend/names.js';
import { CorruptDocumentError, FencedError, InvalidArgumentError, VersionConflictError } from '../../errors.js';
import type { SqlExecutor, SqlRow } from './dialect.js';
import type { SqlContext } from './sql-context.js';
import { anySignal, raceSignal } from './signals.js';

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

/** Versioned JSON documents in `{prefix}kv`; fenced writes check the lease row in the same transaction. */
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
      this.#ctx.connection.run(this.#ctx.sql.kvList, [this.#ctx.cluster, prefix.length, prefix]),
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
   * One transaction:
   *  1. with a fence: the fence's session must still hold its term, unexpired on the DB clock
   *     (the lease row stays locked until commit), else FencedError;
   *  2. read (and lock) the key's version and compare it with `expectVersion`;
   *  3. insert at version 1 or update to version + 1; announce the change.
   */
  async put(key: string, value: Json, options?: KvWriteOptions): Promise<number> {
    validateKey(key);
    const text = serialize(key, value);
    return this.#write(key, options, async (tx, current) => {
      if (current === null) {
        await tx.run(this.#ctx.sql.kvInsert, [this.#ctx.cluster, key, text]);
        return 1;
      }
      await tx.run(this.#ctx.sql.kvUpdate, [text, current + 1, this.#ctx.cluster, key]);
      return current + 1;
    });
  }

  async delete(key: string, options?: KvWriteOptions): Promise<void> {
    validateKey(key);
    await this.#write(key, options, async (tx, current) => {
      if (current !== null) await tx.run(this.#ctx.sql.kvDelete, [this.#ctx.cluster, key]);
      return 0;
    });
  }

  watch(prefix: string, listener: ChangeListener, options: WatchOptions): void {
    validatePrefix(prefix);
    this.#ctx.checkOpen();
    const { signal, dispose } = anySignal([options.signal, this.#ctx.closed]);
    signal.addEventListener('abort', dispose, { once: true });
    const read = async () => {
      const { rows } = await this.#ctx.connection.run(this.#ctx.sql.kvVersions, [this.#ctx.cluster, prefix.length, prefix]);
      return {
        fingerprint: rows
          .map((r: SqlRow) => `${String(r['k'])}:${String(r['version'])}:${String(r['updated_at'])}`)
          .sort()
          .join('\n'),
        changedAt: Math.max(0, ...rows.map((r: SqlRow) => Number(r['updated_at']))),
      };
    };
    this.#ctx.feed.watch(this.#ctx.pollIntervalMs, read, listener, signal);
  }

  async #write(key: string, options: KvWriteOptions | undefined, apply: (tx: SqlExecutor, current: number | null) => Promise<number>): Promise<number> {
    this.#ctx.checkOpen();
    const { connection, sql, cluster } = this.#ctx;
    const expect = options?.expectVersion;
    const attempt = () =>
      connection.transaction(async (tx) => {
        if (options?.fence) await this.#checkFence(tx, options.fence);
        const { rows } = await tx.run(sql.kvGetLocked, [cluster, key]);
        const current = rows[0] === undefined ? null : Number(rows[0]['version']);
        if (expect !== undefined && expect !== current) throw new VersionConflictError(key, expect, current);
        const version = await apply(tx, current);
        await connection.announce(tx, cluster);
        return version;
      }, options);
    for (let retried = false; ; retried = true) {
      try {
        return await raceSignal(attempt(), options?.signal, 'kv write');
      } catch (error) {
        // Two writers created the same absent key at once and this one lost on the primary key:
        // a conditional write conflicts; an unconditional one reads again and overwrites once.
        if (!connection.dialect.isUniqueViolation(error)) throw error;
        if (expect !== undefined || retried) throw new VersionConflictError(key, expect ?? null, 1);
      }
    }
  }

  async #checkFence(tx: SqlExecutor, fence: Fence): Promise<void> {
    const { rows } = await tx.run(this.#ctx.sql.fenceCheck, [this.#ctx.cluster, fence.election, fence.sessionId, fence.term]);
    if (rows.length === 0) throw new FencedError(fence.election, fence.term);
  }
}
