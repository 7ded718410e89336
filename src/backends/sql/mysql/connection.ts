/**
 * The MySQL/MariaDB driver (mysql2): a small pool; every new connection first sets its time
 * zone to UTC. No notifications exist, so watchers and campaigners poll.
 */
import type mysql from 'mysql2/promise';
import type { CallOptions } from '../../../contract/contract.js';
import { AbortedError, ClosedError } from '../../../errors.js';
import { requireOptional } from '../../../optional-package.js';
import type { SqlConnection, SqlExecutor, SqlParam, SqlResult } from '../dialect.js';
import { driverError, refusedOrUnavailable, storeUnavailable } from '../driver-error.js';
import type { DurabilityProblem } from '../durability.js';
import { warnIfNotDurable } from '../durability.js';
import { mysqlDialect } from './dialect.js';
import { ReadBatcher } from './read-batcher.js';

/** Connections in the pool: renewals, one campaign and a few watchers run side by side. */
const POOL_SIZE = 4;
/**
 * Connections that take multi-statement queries: the polls' batched reads (read-batcher.ts), one
 * query per poll period. Kept apart from the pool so no other statement can carry a second one.
 */
const BATCHED_READ_POOL_SIZE = 1;
/**
 * How long opening a connection may take before the call fails, on the OS clock: a local or
 * LAN server answers in milliseconds; 5 s tolerates a busy one yet fails well inside the
 * default renew deadline (10 s), so a renewal can still be retried on a new connection.
 */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * How long one statement may take before the client gives up on it, on the OS clock. baton's
 * statements touch one row; a longer wait means the server or the network is stuck, and the
 * local renew deadline has already acted by then.
 */
const QUERY_TIMEOUT_MS = 10_000;
/**
 * How long a process waits for another's schema migration, in seconds on the server's clock
 * (GET_LOCK). Migrations create a few tables in well under a second; 60 s covers a slow server
 * without letting a start-up hang forever.
 */
const MIGRATION_LOCK_WAIT_S = 60;

/*
 * Server-side bounds on every pooled connection (docs/safety.md rule 7), in seconds on the
 * server's clock. A holder issues fenced writes only until its renew deadline; each is one
 * autocommitted statement, so every lock of its term is gone once its last statement ended on
 * the server. With the default timing (ttl 15 s, renew deadline 10 s) a statement started at
 * the deadline ends by 13 s: 2 s before the lease can expire. Each bound stays below
 * ttlMs - renewDeadlineMs (5 s by default).
 */
/**
 * Longest a statement runs (MariaDB `max_statement_time`; MySQL has no equivalent for writes,
 * which the lock-wait bounds below cover). baton's statements take milliseconds.
 */
const STATEMENT_TIMEOUT_S = 3;
/**
 * Longest a statement waits for a row lock (`innodb_lock_wait_timeout`, whole seconds, at
 * least 1): a renewal or takeover queued behind a stuck statement fails and is retried at its
 * next period instead of piling up.
 */
const LOCK_WAIT_TIMEOUT_S = 2;
/** Longest a statement waits for a table's metadata lock (`lock_wait_timeout`), e.g. behind DDL. */
const METADATA_LOCK_WAIT_TIMEOUT_S = 3;
/**
 * Longest a transaction may sit idle between statements (MariaDB `idle_transaction_timeout`):
 * a client frozen or cut off inside a multi-statement transaction loses it, with its locks.
 * Not the session's `wait_timeout`: that would also close idle pooled connections.
 */
const IDLE_TRANSACTION_TIMEOUT_S = 3;
/**
 * The same bounds inside a schema migration (set on its connection, restored afterwards):
 * start-up only, so generous, and longer than the GET_LOCK wait so that wait ends first.
 */
const MIGRATION_TIMEOUT_S = MIGRATION_LOCK_WAIT_S + 30;

/**
 * The SET statement for those bounds. MariaDB runs the `/*M!100300 ... *\/` part (10.3 and
 * later have both variables); MySQL reads it as a comment.
 */
function sessionBounds(statementS: number, lockWaitS: number, metadataWaitS: number): string {
  return (
    `SET SESSION innodb_lock_wait_timeout = ${lockWaitS}, lock_wait_timeout = ${metadataWaitS}` +
    ` /*M!100300 , max_statement_time = ${statementS}, idle_transaction_timeout = ${IDLE_TRANSACTION_TIMEOUT_S} */`
  );
}
const POOLED_BOUNDS = sessionBounds(STATEMENT_TIMEOUT_S, LOCK_WAIT_TIMEOUT_S, METADATA_LOCK_WAIT_TIMEOUT_S);
const MIGRATION_BOUNDS = sessionBounds(MIGRATION_TIMEOUT_S, MIGRATION_TIMEOUT_S, MIGRATION_TIMEOUT_S);

/** InnoDB's "deadlock found" error number. */
const ER_LOCK_DEADLOCK = 1213;
/** Runs of a transaction chosen as deadlock victim before the error is passed on. */
const DEADLOCK_ATTEMPTS = 3;

type Queryable = Pick<mysql.Pool, 'query'>;

async function query(target: Queryable, sql: string, params: readonly SqlParam[]): Promise<SqlResult> {
  try {
    const [result] = await target.query({ sql, values: params as SqlParam[], timeout: QUERY_TIMEOUT_MS });
    if (Array.isArray(result)) return { rows: result as Record<string, unknown>[], changes: 0 };
    return { rows: [], changes: (result as mysql.ResultSetHeader).affectedRows };
  } catch (error) {
    throw storeUnavailable('mysql', 'statement', error);
  }
}

/** Runs `statements` as one multi-statement query on `target` (a pool opened with multipleStatements). */
async function queryMany(target: Queryable, statements: readonly string[]): Promise<SqlResult[]> {
  let result: unknown;
  try {
    [result] = await target.query({ sql: statements.join(';\n'), timeout: QUERY_TIMEOUT_MS });
  } catch (error) {
    throw storeUnavailable('mysql', 'statement', error);
  }
  if (!Array.isArray(result) || result.length !== statements.length) throw storeUnavailable('mysql', 'statement', new Error(`expected ${statements.length} result sets`));
  return result.map((set: unknown) => (Array.isArray(set) ? { rows: set as Record<string, unknown>[], changes: 0 } : { rows: [], changes: (set as mysql.ResultSetHeader).affectedRows }));
}

/** A failure that leaves the connection unusable (so it must be destroyed, not pooled again). */
function isFatal(error: unknown): boolean {
  return driverError(error)?.['fatal'] === true;
}

class MysqlConnection implements SqlConnection {
  readonly dialect = mysqlDialect;
  readonly #pool: mysql.Pool;
  readonly #batchedReadPool: mysql.Pool;
  readonly #reads: ReadBatcher;
  #closed = false;

  constructor(pool: mysql.Pool, batchedReadPool: mysql.Pool) {
    this.#pool = pool;
    this.#batchedReadPool = batchedReadPool;
    this.#reads = new ReadBatcher({
      runOne: (sql, params) => this.run(sql, params),
      runMany: (statements) => {
        if (this.#closed) throw new ClosedError('mysql connection');
        return queryMany(this.#batchedReadPool, statements);
      },
      format: (sql, params) => pool.format(sql, params as SqlParam[]),
    });
  }

  /** A read sent with the other reads of this turn in one multi-statement query (read-batcher.ts). */
  readBatched(sql: string, params: readonly SqlParam[] = []): Promise<SqlResult> {
    if (this.#closed) return Promise.reject(new ClosedError('mysql connection'));
    return this.#reads.read(sql, params);
  }

  readonly batchesReads = true;

  /**
   * A statement sent with the next batch of reads, or alone after `maxWaitMs` (read-batcher.ts);
   * with no wait allowed, at once on the pool (a campaign's look while placing: many side by side).
   */
  runWithNextBatch(sql: string, params: readonly SqlParam[], maxWaitMs: number, onSent?: () => void): Promise<SqlResult> {
    if (maxWaitMs <= 0) return this.run(sql, params);
    if (this.#closed) return Promise.reject(new ClosedError('mysql connection'));
    return this.#reads.withNext(sql, params, maxWaitMs, onSent);
  }

  /**
   * Runs one autocommitted statement. A fenced KV write share-locks the lease row while a
   * renewal or takeover waits to update it, and InnoDB queues share requests behind waiting
   * updates, so a cycle through a KV row can make one statement the deadlock victim: it was
   * rolled back whole, so it is run again, up to DEADLOCK_ATTEMPTS times in all.
   */
  async run(sql: string, params: readonly SqlParam[] = []): Promise<SqlResult> {
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new ClosedError('mysql connection');
      try {
        return await query(this.#pool, sql, params);
      } catch (error) {
        if (driverError(error)?.['errno'] !== ER_LOCK_DEADLOCK || attempt >= DEADLOCK_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Runs `fn` in a transaction. InnoDB may pick this transaction as a deadlock victim (two
   * writers locking the same gap before inserting): it was rolled back whole, so it is run
   * again, up to DEADLOCK_ATTEMPTS times in all.
   */
  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: CallOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (options?.signal?.aborted) throw new AbortedError('mysql transaction', options.signal.reason);
      try {
        return await this.#transactionOnce(fn);
      } catch (error) {
        if (driverError(error)?.['errno'] !== ER_LOCK_DEADLOCK || attempt >= DEADLOCK_ATTEMPTS) throw error;
      }
    }
  }

  #transactionOnce<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#withConnection(async (connection) => {
      const tx: SqlExecutor = { run: (sql, params = []) => query(connection, sql, params) };
      await tx.run('START TRANSACTION');
      try {
        const result = await fn(tx);
        await tx.run('COMMIT');
        return result;
      } catch (error) {
        await tx.run('ROLLBACK').catch(() => undefined); // a failed rollback surfaces as `fatal` below
        throw error;
      }
    });
  }

  withMigrationLock<T>(lockName: string, fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    // MySQL DDL commits implicitly, so a named lock (not a transaction) serialises migrations.
    return this.#withConnection(async (connection, discard) => {
      const ex: SqlExecutor = { run: (sql, params = []) => query(connection, sql, params) };
      await ex.run(MIGRATION_BOUNDS);
      try {
        return await migrateLocked(ex, lockName, fn);
      } finally {
        // Back to the pooled bounds; a connection that keeps the migration's must not be pooled.
        await ex.run(POOLED_BOUNDS).catch(discard);
      }
    });
  }

  runAndAnnounce(sql: string, params: readonly SqlParam[]): Promise<SqlResult> {
    return this.run(sql, params); // nothing to announce: watchers poll
  }

  async announce(): Promise<void> {
    // No notifications in MySQL: watchers poll.
  }

  onAnnounce(): () => void {
    return () => undefined;
  }

  /** No notifications: waiters and watchers poll. */
  readonly announcing = false;

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reads.flush(); // what waits for a batch fails now (closed), not when its wait ends
    // Closing: nothing left to report to.
    await Promise.all([this.#pool.end().catch(() => undefined), this.#batchedReadPool.end().catch(() => undefined)]);
  }

  /** Runs `fn` on a pooled connection; `discard()` (or a fatal error) destroys it instead of pooling it again. */
  async #withConnection<T>(fn: (connection: mysql.PoolConnection, discard: () => void) => Promise<T>): Promise<T> {
    if (this.#closed) throw new ClosedError('mysql connection');
    let connection: mysql.PoolConnection;
    try {
      connection = await this.#pool.getConnection();
    } catch (error) {
      throw storeUnavailable('mysql', 'connecting', error);
    }
    let fatal = false;
    try {
      return await fn(connection, () => {
        fatal = true;
      });
    } catch (error) {
      fatal ||= isFatal(error);
      throw error;
    } finally {
      if (fatal) connection.destroy();
      else connection.release();
    }
  }
}

/** Takes the named migration lock (waiting up to MIGRATION_LOCK_WAIT_S), runs `fn`, releases it. */
async function migrateLocked<T>(ex: SqlExecutor, lockName: string, fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
  const { rows } = await ex.run('SELECT GET_LOCK(?, ?) AS got', [lockName, MIGRATION_LOCK_WAIT_S]);
  if (Number(rows[0]?.['got']) !== 1) {
    throw storeUnavailable('mysql', 'migration', new Error(`lock "${lockName}" not granted within ${MIGRATION_LOCK_WAIT_S} s`));
  }
  try {
    return await fn(ex);
  } finally {
    await ex.run('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined); // dies with the session anyway
  }
}

/**
 * Settings that let InnoDB acknowledge a commit it may lose in a crash (see durability.ts):
 * `innodb_flush_log_at_trx_commit` 0 or 2 flush the redo log about once a second, not at each
 * commit (1, and MariaDB's 3, flush at each commit).
 */
async function durabilityProblems(connection: SqlConnection): Promise<DurabilityProblem[]> {
  const { rows } = await connection.run('SELECT @@GLOBAL.innodb_flush_log_at_trx_commit AS flush');
  const flush = Number(rows[0]?.['flush']);
  if (flush === 1 || flush === 3) return [];
  return [{ setting: 'innodb_flush_log_at_trx_commit', value: String(flush), fix: 'set it to 1' }];
}

/**
 * Opens a pool on `url` (mysql:// or mariadb://). Resolves once one statement has succeeded,
 * so a wrong URL fails here; warns (once, as a process warning) when the server's settings
 * may lose a commit.
 */
export async function openMysqlConnection(url: string): Promise<SqlConnection> {
  const parsed = new URL(url);
  parsed.protocol = 'mysql:';
  const driver = requireOptional<typeof mysql>('mysql2/promise', 'mysql2', 'MySQL and MariaDB stores (mysql://)');
  const openPool = (connectionLimit: number, multipleStatements: boolean) => {
    const pool = driver.createPool({
      uri: parsed.toString(),
      connectionLimit,
      multipleStatements,
      connectTimeout: CONNECT_TIMEOUT_MS,
      enableKeepAlive: true,
      waitForConnections: true,
      // No stack captured per query for the driver's errors: every error is wrapped in a
      // StoreUnavailableError or RefusedError thrown from baton's own call, which has its own
      // stack. The capture was about a tenth of an idle node's JavaScript (its polls query
      // twice a second; docs/benchmarks.md, scale-mysql-idle-waits).
      trace: false,
    });
    // Every new connection, before its first statement:
    //  - UTC, so UNIX_TIMESTAMP(SYSDATE(3)) never meets a daylight-saving gap or overlap;
    //  - READ COMMITTED, so a locking read of an absent row takes no gap lock (under REPEATABLE
    //    READ, writers creating different new rows in one gap deadlock each other);
    //  - the server-side bounds on statements, lock waits and idle transactions (see above).
    pool.pool.on('connection', (connection) => {
      for (const setting of ["SET time_zone = '+00:00'", 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', POOLED_BOUNDS]) {
        connection.query(setting, (error: unknown) => {
          if (error) connection.destroy();
        });
      }
    });
    return pool;
  };
  const connection = new MysqlConnection(openPool(POOL_SIZE, false), openPool(BATCHED_READ_POOL_SIZE, true));
  try {
    warnIfNotDurable('mysql', await durabilityProblems(connection));
  } catch (error) {
    await connection.close();
    throw refusedOrUnavailable('mysql', error);
  }
  return connection;
}
