/**
 * The SQLite driver (better-sqlite3): one handle per backend on a WAL-mode database file that
 * several processes on one machine share, with `synchronous = FULL` (durable commits). better-sqlite3 is synchronous, so statements on a
 * handle are queued one after another and a transaction holds the queue until it ends.
 *
 * Limitation of a shared file: a process frozen (SIGSTOP, debugger) in the middle of a write
 * transaction keeps the write lock, and no other process can write until it resumes or dies.
 * baton's transactions last well under a millisecond, so this needs bad luck, not load.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { CallOptions } from '../../../contract/contract.js';
import { AbortedError, ClosedError } from '../../../errors.js';
import type { SqlConnection, SqlExecutor, SqlParam, SqlResult } from '../dialect.js';
import { driverError, storeUnavailable } from '../driver-error.js';
import { sqliteDialect } from './dialect.js';

/**
 * How long a statement waits for another process's write lock before failing with SQLITE_BUSY
 * (then retried by the caller at its next period), on the OS clock. better-sqlite3 waits
 * synchronously, blocking this process's timers, so a local deadline may fire this much late:
 * it must stay far below the safety margin ttlMs - renewDeadlineMs (5 s by default). baton's
 * transactions hold the lock for well under a millisecond.
 */
const BUSY_TIMEOUT_MS = 250;

/**
 * How long opening the file and migrating keep retrying while other processes that start at
 * the same moment hold the write lock, on the OS clock. Start-up only, so generous.
 */
const STARTUP_BUSY_WAIT_MS = 15_000;
/** Pause between those retries, on the OS clock: short, since the lock is held only briefly. */
const STARTUP_RETRY_PAUSE_MS = 20;

/** Retries `fn` while SQLite reports the database busy or locked, for at most STARTUP_BUSY_WAIT_MS. */
async function retryWhileBusy<T>(fn: () => Promise<T>): Promise<T> {
  const giveUpAt = performance.now() + STARTUP_BUSY_WAIT_MS;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      const code = String(driverError(error)?.['code'] ?? '');
      if (!code.startsWith('SQLITE_BUSY') && !code.startsWith('SQLITE_LOCKED')) throw error;
      if (performance.now() > giveUpAt) throw error;
      await delay(STARTUP_RETRY_PAUSE_MS);
    }
  }
}

/**
 * One statement queue per database file in this process, shared by all its handles. Handles
 * in one process run on one thread: if one handle's open transaction yielded to another
 * handle's statement, that statement would wait synchronously for a lock that cannot be
 * released until it returns. Queuing per file rules that out.
 */
interface FileQueue {
  tail: Promise<unknown>;
  users: number;
}
const queues = new Map<string, FileQueue>();

function joinQueue(file: string): FileQueue {
  let queue = queues.get(file);
  if (queue === undefined) {
    queue = { tail: Promise.resolve(), users: 0 };
    queues.set(file, queue);
  }
  queue.users++;
  return queue;
}

function leaveQueue(file: string, queue: FileQueue): void {
  if (--queue.users === 0 && queues.get(file) === queue) queues.delete(file);
}

class SqliteConnection implements SqlConnection {
  readonly dialect = sqliteDialect;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #direct: SqlExecutor = { run: async (sql, params) => this.#exec(sql, params) };
  readonly #file: string;
  readonly #queue: FileQueue;
  #closed = false;

  constructor(db: Database.Database, file: string) {
    this.#db = db;
    this.#file = file;
    this.#queue = joinQueue(file);
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<SqlResult> {
    return this.#exclusive(async () => this.#exec(sql, params));
  }

  /** Alone: SQLite runs in this process, so there is no round trip to share. */
  readBatched(sql: string, params: readonly SqlParam[] = []): Promise<SqlResult> {
    return this.run(sql, params);
  }

  readonly batchesReads = false;

  /** At once: reads are not batched here. */
  runWithNextBatch(sql: string, params: readonly SqlParam[]): Promise<SqlResult> {
    return this.run(sql, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: CallOptions): Promise<T> {
    return this.#exclusive(async () => {
      if (options?.signal?.aborted) throw new AbortedError('sqlite transaction', options.signal.reason);
      // IMMEDIATE takes the write lock now, so what the transaction reads stays true until commit.
      this.#exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#direct);
        this.#exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#exec('ROLLBACK');
        throw error;
      }
    });
  }

  withMigrationLock<T>(_lockName: string, fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    // SQLite DDL is transactional and the IMMEDIATE transaction excludes every other writer.
    return retryWhileBusy(() => this.transaction(fn));
  }

  runAndAnnounce(sql: string, params: readonly SqlParam[]): Promise<SqlResult> {
    return this.run(sql, params); // nothing to announce: watchers poll
  }

  async announce(): Promise<void> {
    // No notifications in SQLite: watchers poll.
  }

  onAnnounce(): () => void {
    return () => undefined;
  }

  /** No notifications: waiters and watchers poll. */
  readonly announcing = false;

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.tail.catch(() => undefined);
    this.#db.close();
    leaveQueue(this.#file, this.#queue);
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new ClosedError('sqlite connection'));
    const result = this.#queue.tail.then(fn, fn);
    this.#queue.tail = result.catch(() => undefined);
    return result;
  }

  #exec(sql: string, params: readonly SqlParam[] = []): SqlResult {
    try {
      let statement = this.#statements.get(sql);
      if (statement === undefined) {
        statement = this.#db.prepare(sql);
        this.#statements.set(sql, statement);
      }
      if (statement.reader) {
        // A SELECT, or a write with RETURNING (one row per changed row).
        const rows = statement.all(...params) as Record<string, unknown>[];
        return { rows, changes: rows.length };
      }
      return { rows: [], changes: statement.run(...params).changes };
    } catch (error) {
      throw storeUnavailable('sqlite', 'statement', error);
    }
  }
}

/** Opens (and creates, with its directory) the database file at `file` in WAL mode. */
export async function openSqliteConnection(file: string): Promise<SqlConnection> {
  return retryWhileBusy(async () => openOnce(file));
}

function openOnce(file: string): SqlConnection {
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      // WAL lets readers in other processes go on while one process writes.
      db.pragma('journal_mode = WAL');
      // FULL, not NORMAL: every commit syncs the WAL before it returns. Fencing tokens must
      // never repeat (docs/safety.md rule 6): with NORMAL an OS crash or power cut can roll back the last
      // committed acquisitions, and the same term would be handed out again. (EXTRA adds nothing
      // in WAL mode: it only syncs the directory after a rollback journal is deleted.)
      db.pragma('synchronous = FULL');
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteConnection(db, path.resolve(file));
  } catch (error) {
    throw storeUnavailable('sqlite', `opening "${file}"`, error);
  }
}
