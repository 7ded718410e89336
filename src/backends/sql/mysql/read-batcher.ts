import type { SqlParam, SqlResult } from '../dialect.js';

/** One statement waiting for its batch. */
interface QueuedStatement {
  readonly sql: string;
  readonly params: readonly SqlParam[];
  readonly resolve: (result: SqlResult) => void;
  readonly reject: (error: unknown) => void;
  /** A statement that waits for the next batch: the timer that sends it anyway. */
  readonly sendAnyway?: NodeJS.Timeout;
  /** Called when the statement leaves. */
  readonly onSent?: (() => void) | undefined;
}

/**
 * Most statements in one multi-statement query. An idle node's batch holds a handful (its polls,
 * renewal, digest, a look); a burst of reads in one turn (a caller's Promise.all over many lists)
 * goes as several queries of this size, so no query grows towards the server's packet limit
 * (max_allowed_packet, 16 MiB by default) and a failed one re-sends few statements alone.
 */
const STATEMENTS_PER_QUERY = 32;

/** How the batcher runs statements (connection.ts: `query` on a pool, with its time-out and errors). */
export interface ReadBatcherTarget {
  /** Runs one statement on the pool of plain connections. */
  readonly runOne: (sql: string, params: readonly SqlParam[]) => Promise<SqlResult>;
  /** Runs several statements (parameters inlined) in one round trip; resolves with each one's result. */
  readonly runMany: (statements: readonly string[]) => Promise<SqlResult[]>;
  /** Inlines `params` into `sql`, escaped as the driver escapes them (mysql2 `format`). */
  readonly format: (sql: string, params: readonly SqlParam[]) => string;
}

/**
 * The reads of one turn of the event loop, in one round trip. A node's polls (members, the KV
 * keys under watched prefixes, a leader's lease row) read every poll period at the same tick
 * (shared-polls.ts), and on MySQL, which announces nothing, those reads are most of what an idle
 * node sends: one multi-statement query a period instead of one statement per poll. Each
 * statement is still its own autocommitted statement on the server; only the round trip is shared.
 * What else an idle node sends periodically (its session's renewal and leases' digest, a
 * waiting campaign's look) waits for the next batch instead of going alone (`withNext`), for at
 * most the time its caller allows.
 * A batch whose query fails is sent again one statement at a time, so each settles with its own
 * result or its own error (a failed statement ends the rest of a multi-statement query; one
 * that ran before it, a renewal, runs twice, which renews twice).
 * A single statement goes alone, as before.
 */
export class ReadBatcher {
  readonly #target: ReadBatcherTarget;
  #queue: QueuedStatement[] = [];
  #flushPending = false;

  constructor(target: ReadBatcherTarget) {
    this.#target = target;
  }

  /** Sends `sql` with the other reads of this turn. */
  read(sql: string, params: readonly SqlParam[]): Promise<SqlResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ sql, params, resolve, reject });
      this.#flushSoon();
    });
  }

  /**
   * Sends `sql` (a read, or a write that needs no transaction) with the next batch of reads, or
   * alone (with whatever else waits) once `maxWaitMs` passed on the OS clock without one;
   * `onSent` is called when it leaves.
   */
  withNext(sql: string, params: readonly SqlParam[], maxWaitMs: number, onSent?: () => void): Promise<SqlResult> {
    return new Promise((resolve, reject) => {
      const sendAnyway = setTimeout(() => this.#flushSoon(), maxWaitMs);
      this.#queue.push({ sql, params, resolve, reject, sendAnyway, onSent });
    });
  }

  /** Sends what waits now (the connection closes). */
  flush(): void {
    this.#flushSoon();
  }

  /** Flushed after this turn's timers and promise jobs: every poll woken by the same tick joins. */
  #flushSoon(): void {
    if (this.#flushPending) return;
    this.#flushPending = true;
    setImmediate(() => {
      this.#flushPending = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const queued = this.#queue;
    this.#queue = [];
    for (const statement of queued) {
      clearTimeout(statement.sendAnyway);
      statement.onSent?.();
    }
    const batches: QueuedStatement[][] = [];
    for (let i = 0; i < queued.length; i += STATEMENTS_PER_QUERY) batches.push(queued.slice(i, i + STATEMENTS_PER_QUERY));
    await Promise.all(batches.map((batch) => this.#send(batch)));
  }

  async #send(batch: readonly QueuedStatement[]): Promise<void> {
    if (batch.length === 1) {
      await settleAlone(this.#target, batch[0]!);
      return;
    }
    let results: SqlResult[];
    try {
      results = await this.#target.runMany(batch.map((r) => this.#target.format(r.sql, r.params)));
    } catch {
      await Promise.all(batch.map((r) => settleAlone(this.#target, r)));
      return;
    }
    batch.forEach((r, i) => r.resolve(results[i] ?? { rows: [], changes: 0 }));
  }
}

async function settleAlone(target: ReadBatcherTarget, statement: QueuedStatement): Promise<void> {
  try {
    statement.resolve(await target.runOne(statement.sql, statement.params));
  } catch (error) {
    statement.reject(error);
  }
}
