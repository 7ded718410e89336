import type { SqlParam, SqlResult } from '../dialect.js';

/** One read waiting for its batch. */
interface QueuedRead {
  readonly sql: string;
  readonly params: readonly SqlParam[];
  readonly resolve: (result: SqlResult) => void;
  readonly reject: (error: unknown) => void;
}

/** How the batcher runs statements (connection.ts: `query` on a pool, with its time-out and errors). */
export interface ReadBatcherTarget {
  /** Runs one statement on the pool of plain connections. */
  readonly runOne: (sql: string, params: readonly SqlParam[]) => Promise<SqlResult>;
  /** Runs several statements (parameters inlined) in one round trip; resolves with each one's rows. */
  readonly runMany: (statements: readonly string[]) => Promise<Record<string, unknown>[][]>;
  /** Inlines `params` into `sql`, escaped as the driver escapes them (mysql2 `format`). */
  readonly format: (sql: string, params: readonly SqlParam[]) => string;
}

/**
 * The reads of one turn of the event loop, in one round trip. A node's polls (members, the KV
 * keys under watched prefixes, a leader's lease row) read every poll period at the same tick
 * (shared-polls.ts), and on MySQL, which announces nothing, those reads are most of what an idle
 * node sends: one multi-statement query a period instead of one statement per poll. Each read
 * is still its own autocommitted statement on the server; only the round trip is shared.
 * A batch whose query fails is sent again one statement at a time, so each read settles with
 * its own rows or its own error (a failed statement ends the rest of a multi-statement query).
 * A single read goes alone, as before.
 */
export class ReadBatcher {
  readonly #target: ReadBatcherTarget;
  #queue: QueuedRead[] = [];

  constructor(target: ReadBatcherTarget) {
    this.#target = target;
  }

  read(sql: string, params: readonly SqlParam[]): Promise<SqlResult> {
    return new Promise((resolve, reject) => {
      // Flushed after this turn's timers and promise jobs: every poll woken by the same tick joins.
      if (this.#queue.length === 0) setImmediate(() => void this.#flush());
      this.#queue.push({ sql, params, resolve, reject });
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 1) {
      await settleAlone(this.#target, batch[0]!);
      return;
    }
    let results: Record<string, unknown>[][];
    try {
      results = await this.#target.runMany(batch.map((r) => this.#target.format(r.sql, r.params)));
    } catch {
      await Promise.all(batch.map((r) => settleAlone(this.#target, r)));
      return;
    }
    batch.forEach((r, i) => r.resolve({ rows: results[i] ?? [], changes: 0 }));
  }
}

async function settleAlone(target: ReadBatcherTarget, read: QueuedRead): Promise<void> {
  try {
    read.resolve(await target.runOne(read.sql, read.params));
  } catch (error) {
    read.reject(error);
  }
}
