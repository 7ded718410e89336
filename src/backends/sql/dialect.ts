/**
 * How a SQL engine plugs into baton's one SQL backend: a {@link SqlDialect} (the few pieces of
 * SQL text that differ between engines) and a {@link SqlConnection} (the driver). Every dialect
 * folder (sqlite/, postgres/, mysql/) has the same files: `dialect.ts`, `ddl.ts`,
 * `connection.ts` and `index.ts`.
 */
import type { CallOptions } from '../../contract/contract.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

export type SqlParam = string | number | null;
export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlResult {
  readonly rows: readonly SqlRow[];
  /** Rows written by an INSERT, UPDATE or DELETE (rows matched, for UPDATE). */
  readonly changes: number;
}

/** The SQL text that differs between engines. Statements use `?` placeholders everywhere. */
export interface SqlDialect {
  readonly name: DialectName;
  /**
   * An integer SQL expression: the DATABASE server's current time in epoch milliseconds, read
   * when the expression is evaluated (not when the transaction began). Lease and member expiry
   * are judged only against it.
   */
  readonly nowMs: string;
  /** Quotes an identifier (table names are validated before they get here). */
  quote(identifier: string): string;
  /**
   * Appended to the sub-SELECT of the lease row inside a fenced KV write: reads the row's
   * latest committed version and share-locks it until the statement commits, so no takeover
   * (an UPDATE of that row) commits in between ('' where a write statement already holds the
   * database's write lock, as SQLite's do).
   */
  readonly lockLease: string;
  /** Whether INSERT, UPDATE and DELETE accept a RETURNING clause (PostgreSQL, SQLite; not MariaDB). */
  readonly returning: boolean;
  /**
   * A FROM item that turns ONE `?` parameter, a JSON array of objects
   * `{ "n": election, "h": session, "o": node id, "i": info, "t": term }` (any of them may be
   * missing: null), into rows with the columns n, h, o, i and t of table alias `r`, in the
   * array's order: how one statement takes or releases many elections (statements.ts
   * leaseTakeOrInsertMany, leaseReleaseMany). One text parameter whatever the count, so the
   * statement's text (and a prepared plan) stays the same. undefined where each election is
   * taken and released by a statement of its own (MySQL, see its dialect).
   */
  readonly electionRows: string | undefined;
  /**
   * Whether a graceful release hands the lease over to the longest-waiting live waiter in its
   * one statement (statements.ts leaseHandOver), and waiting campaigns register for it
   * (waiters.ts). Only where the engine announces changes (PostgreSQL NOTIFY): the new holder
   * learns of its term from the announcement and leads without a statement of its own. Where
   * waiters poll (MariaDB, SQLite), a handover saves nothing: a waiter learns of any release
   * only at its next poll, one statement either way (its take of the free row), while
   * registering would cost each waiting campaign two more writes, and MariaDB (no RETURNING,
   * `SYSDATE` read anew at each evaluation) could not pick the waiter once per statement and
   * report it. They keep the plain release and take.
   */
  readonly handsOver: boolean;
  /** Whether a driver error is a primary-key violation. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * Whether a driver error says that a migration's ADD COLUMN or CREATE INDEX found the column
   * or index there already (only where DDL commits on its own, as in MySQL; elsewhere false).
   */
  isAlreadyApplied(error: unknown): boolean;
  /**
   * A SELECT with one `?` (a table name) that returns a row when that table exists in the
   * connection's database (schema), and none otherwise: how a reader checks for baton's tables
   * without creating them.
   */
  readonly tableExists: string;
}

/** How a write may be committed. */
export interface WriteOptions {
  /**
   * false: the server may acknowledge (and show others, and announce) the write before it is on
   * disk (PostgreSQL commits it asynchronously: no WAL flush to wait for; other engines ignore
   * it). Only for a write whose loss in a server crash is safe: a graceful release, which the
   * holder's session then makes again (session-leases.ts), or which frees with that session as
   * if its holder had crashed. Any later durable commit (the successor's take) flushes it first,
   * as the log is written in order. Default true.
   */
  readonly durable?: boolean;
  /**
   * The election whose lease row the write changes: the announcement wakes only the waiters
   * that follow it (ChangeFeed topics), not every watch of the cluster. Default: the whole
   * cluster (a KV write, a member joining or leaving).
   */
  readonly topic?: string;
  /**
   * The statement changes many lease rows and returns each one's election in the column
   * `name` (RETURNING name, ...): each election is announced as its own topic, all of them in
   * as few announcements as fit (PostgreSQL: NOTIFY payloads are limited to 8,000 bytes).
   * Replaces `topic`.
   */
  readonly topicPerRow?: boolean;
  /**
   * The statement may hand a lease over (statements.ts leaseHandOver, returning `holder`,
   * `term` and `ticket`): when it names a new holder, the announcement carries it (see
   * {@link Handover}) and the write is durable whatever `durable` says, since it grants a term
   * to someone who will act on it (docs/safety.md rule 6); when it names none, `durable`
   * applies as for a plain release.
   */
  readonly handover?: boolean;
}

/** A lease handed to a waiting campaign, as its announcement tells it. */
export interface Handover {
  /** The session the lease was handed to. */
  readonly holder: string;
  /** The ticket of that session's waiting campaign (waiters.ts). */
  readonly ticket: string;
  /** The new term (the previous one + 1). */
  readonly term: number;
}

/** Runs statements. */
export interface SqlExecutor {
  run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult>;
}

/**
 * One store connection (a pool, or one SQLite handle). Driver errors reject as
 * StoreUnavailableError with the driver error as `cause`; no driver emits an unhandled 'error'.
 */
export interface SqlConnection extends SqlExecutor {
  readonly dialect: SqlDialect;
  /**
   * Runs one read that may share its round trip with the other readBatched calls of the same
   * turn of the event loop (MySQL: one multi-statement query, mysql/read-batcher.ts; elsewhere
   * `run`). The polls read this way: they wake at the same tick (shared-polls.ts).
   */
  readBatched(sql: string, params?: readonly SqlParam[]): Promise<SqlResult>;
  /** Whether readBatched shares round trips (MySQL): only then does runWithNextBatch wait. */
  readonly batchesReads: boolean;
  /**
   * Runs one statement (a read, or a write that needs no transaction) in the round trip of the
   * next readBatched batch, which the polls send every poll period, or alone once `maxWaitMs`
   * passed without one (MySQL; with `maxWaitMs` 0, `run`); elsewhere `run`, at once. What
   * runs periodically anyway rides the polls' round trip this way (next-batch.ts). `onSent` is
   * called when the statement leaves (not at all where it is sent at once).
   */
  runWithNextBatch(sql: string, params: readonly SqlParam[], maxWaitMs: number, onSent?: () => void): Promise<SqlResult>;
  /** Runs `fn` in one short transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: CallOptions): Promise<T>;
  /** Runs `fn` holding a lock that serialises schema migrations across processes. */
  withMigrationLock<T>(lockName: string, fn: (executor: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs one INSERT, UPDATE or DELETE and, if it changed a row, announces a change of
   * `cluster` in the same round trip and transaction (PostgreSQL: the statement must end with
   * RETURNING; it runs inside a CTE that calls pg_notify per changed row). Elsewhere: `run`.
   */
  runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string, options?: WriteOptions): Promise<SqlResult>;
  /** Announces, inside `tx`, that something of `cluster` changed (PostgreSQL NOTIFY; else nothing). */
  announce(tx: SqlExecutor, cluster: string): Promise<void>;
  /**
   * Calls `listener` when another connection announces a change of `cluster`: with the topic
   * (an election's name) when the change was announced for one topic, else with undefined (the
   * whole cluster), and with the handover when the change handed a lease to a waiter. Returns
   * the unsubscribe function. Engines without notifications never call it (watchers poll).
   */
  onAnnounce(cluster: string, listener: (topic: string | undefined, handover?: Handover) => void): () => void;
  /**
   * Whether a change announced by any process reaches onAnnounce listeners now (PostgreSQL:
   * while its LISTEN connection is up). false where the engine has no notifications, and while
   * PostgreSQL's LISTEN connection is being opened again: it calls every listener once when it
   * is lost and once when it is back, so a waiter can switch between sleeping and polling.
   */
  readonly announcing: boolean;
  close(): Promise<void>;
}
