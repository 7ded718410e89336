/**
 * The PostgreSQL driver (pg): a small pool for statements and transactions, plus one dedicated
 * client that LISTENs for change announcements so waiting campaigners and watchers wake at
 * once. Every pool and client has an 'error' listener: a broken connection is reported by the
 * next statement (as StoreUnavailableError), never as an unhandled 'error' event.
 */
import type pg from 'pg';
import type { CallOptions } from '../../../contract/contract.js';
import { AbortedError, ClosedError } from '../../../errors.js';
import { requireOptional } from '../../../optional-package.js';
import type { Handover, SqlConnection, SqlExecutor, SqlParam, SqlResult, WriteOptions } from '../dialect.js';
import { refusedOrUnavailable, storeUnavailable } from '../driver-error.js';
import type { DurabilityProblem } from '../durability.js';
import { warnIfNotDurable } from '../durability.js';
import { announcedInChunks, announcedPerRow, announcementPayload, parsedAnnouncement, topicsPrefix } from './announcement-payloads.js';
import { postgresDialect } from './dialect.js';
import { StatementNames } from './statement-names.js';

/** Connections in the pool: renewals, one campaign and a few watchers run side by side. */
const POOL_SIZE = 4;
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
/*
 * Server-side bounds on every connection (docs/safety.md rule 7). A holder issues fenced
 * writes only until its renew deadline; each is one autocommitted statement, so every lock of
 * its term is gone once its last statement ended on the server. With the default timing (ttl
 * 15 s, renew deadline 10 s) a statement started at the deadline ends by 13 s: 2 s before the
 * lease can expire, so a frozen or vanished writer never delays a takeover. Each bound stays
 * below ttlMs - renewDeadlineMs (5 s by default); shorter timings than the defaults shrink
 * that margin, and then a stuck statement may delay a takeover by at most these values.
 */
/**
 * Longest a statement may run on the server (PostgreSQL `statement_timeout`, on the server's
 * clock). baton's statements touch one row and take milliseconds; 3 s means the server is
 * stuck, and the statement's locks must go.
 */
const STATEMENT_TIMEOUT_MS = 3_000;
/**
 * Longest a statement waits for a row lock (`lock_timeout`): below the statement timeout, so a
 * renewal or a takeover queued behind a stuck statement fails and is retried at its next
 * period instead of piling up behind it.
 */
const LOCK_TIMEOUT_MS = 2_000;
/**
 * Longest a transaction may sit idle between two statements (`idle_in_transaction_session_timeout`):
 * a client frozen or cut off inside a multi-statement transaction (a session's member insert,
 * a migration) loses it, with its locks, after 3 s instead of holding them while it is frozen.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 3_000;
/**
 * Statement and lock-wait bound inside a schema migration (SET LOCAL, that transaction only):
 * it waits for another process's migration and for table locks of running statements. Start-up
 * only, so generous; the idle bound above still applies, so a frozen migrator releases its locks.
 */
const MIGRATION_TIMEOUT_MS = 60_000;

/**
 * Pause before the LISTEN client reconnects after losing its connection, on the OS clock.
 * Watchers and waiting campaigns poll meanwhile, so this only bounds how soon wake-ups are
 * instant again;
 * 1 s keeps a down server from being hammered.
 */
const LISTEN_RECONNECT_MS = 1_000;

/** The `pg` driver, loaded when a PostgreSQL store is first opened. */
function driver(): typeof pg {
  return requireOptional<typeof pg>('pg', 'pg', 'PostgreSQL stores (postgres://)');
}

/** Rewrites `?` placeholders as `$1, $2, ...` (baton's statements hold no literal `?`). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Shared by every connection of the process: the same text has the same name everywhere. */
const statementNames = new StatementNames();

function ignoreError(): void {
  // A broken connection surfaces as the rejection of the statement that used it.
}

class PostgresConnection implements SqlConnection {
  readonly dialect = postgresDialect;
  readonly #pool: pg.Pool;
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #listeners = new Map<string, Set<(topic: string | undefined, handover?: Handover) => void>>();
  #listenClient: pg.Client | undefined;
  /** The LISTEN connection is up and subscribed: announcements reach the listeners. */
  #listening = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(config: pg.ClientConfig, channel: string) {
    this.#config = config;
    this.#channel = channel;
    this.#pool = new (driver().Pool)({ ...config, max: POOL_SIZE });
    this.#pool.on('error', ignoreError);
  }

  /** Alone: a poll on PostgreSQL sleeps on NOTIFY and seldom reads. */
  readBatched(sql: string, params: readonly SqlParam[] = []): Promise<SqlResult> {
    return this.run(sql, params);
  }

  readonly batchesReads = false;

  /** At once: reads are not batched here. */
  runWithNextBatch(sql: string, params: readonly SqlParam[]): Promise<SqlResult> {
    return this.run(sql, params);
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<SqlResult> {
    if (this.#closed) throw new ClosedError('postgres connection');
    try {
      const text = numbered(sql);
      // Prepared once per pooled connection (statement-names.ts: what it saves and why it is safe).
      const result = await this.#pool.query({ name: statementNames.nameOf(text), text, values: params as SqlParam[] });
      return { rows: result.rows as Record<string, unknown>[], changes: result.rowCount ?? 0 };
    } catch (error) {
      throw storeUnavailable('postgres', 'statement', error);
    }
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: CallOptions): Promise<T> {
    if (this.#closed) throw new ClosedError('postgres connection');
    if (options?.signal?.aborted) throw new AbortedError('postgres transaction', options.signal.reason);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw storeUnavailable('postgres', 'connecting', error);
    }
    client.on('error', ignoreError);
    const tx: SqlExecutor = {
      run: async (sql, params = []) => {
        try {
          const result = await client.query(numbered(sql), params as SqlParam[]);
          return { rows: result.rows as Record<string, unknown>[], changes: result.rowCount ?? 0 };
        } catch (error) {
          throw storeUnavailable('postgres', 'statement', error);
        }
      },
    };
    let broken: unknown;
    try {
      await tx.run('BEGIN');
      const result = await fn(tx);
      await tx.run('COMMIT');
      return result;
    } catch (error) {
      await tx.run('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError; // the connection is unusable: the pool must drop it
      });
      throw error;
    } finally {
      client.removeListener('error', ignoreError);
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  withMigrationLock<T>(lockName: string, fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.transaction(async (tx) => {
      await tx.run(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
      await tx.run(`SET LOCAL lock_timeout = ${MIGRATION_TIMEOUT_MS}`);
      // Held until this transaction ends; concurrent CREATE TABLE IF NOT EXISTS can otherwise fail.
      await tx.run('SELECT pg_advisory_xact_lock(hashtext(?))', [lockName]);
      return fn(tx);
    });
  }

  async runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string, options?: WriteOptions): Promise<SqlResult> {
    // One round trip: the change and its NOTIFY (sent at commit, once per changed row; the
    // listeners fold them into one wake-up). A write that need not be durable turns
    // synchronous_commit off for its own implicit transaction only (set_config(..., true),
    // evaluated only when a row changed): its commit and NOTIFY need not wait for the WAL
    // flush (a millisecond or more per commit, most of a graceful handoff otherwise).
    // A handover (WriteOptions.handover) adds the new holder to the payload and is relaxed
    // only when it named none: a term granted must survive a crash (docs/safety.md rule 6).
    // The setting covers the whole transaction, so a statement that changed many rows and
    // hands over is relaxed only when NO row named a new holder.
    const handover = options?.handover === true;
    const many = options?.topicPerRow === true;
    const relaxedIf = !handover ? 'WHEN TRUE ' : many ? 'WHEN NOT EXISTS (SELECT 1 FROM changed WHERE holder IS NOT NULL) ' : 'WHEN changed.holder IS NULL ';
    const relaxed = options?.durable === false ? `, CASE ${relaxedIf}THEN set_config('synchronous_commit', 'off', true) END AS relaxed` : '';
    // A statement that changed many elections announces their names in chunks (announcedInChunks).
    const [text, payload] = many
      ? [announcedInChunks(sql, handover, relaxed), topicsPrefix(cluster)]
      : [announcedPerRow(sql, handover, relaxed), announcementPayload(cluster, options?.topic)];
    const { rows } = await this.run(text, [...params, this.#channel, payload]);
    return { rows, changes: rows.length };
  }

  async announce(tx: SqlExecutor, cluster: string): Promise<void> {
    // Delivered when (and only if) the transaction commits.
    await tx.run('SELECT pg_notify(?, ?)', [this.#channel, announcementPayload(cluster)]);
  }

  onAnnounce(cluster: string, listener: (topic: string | undefined, handover?: Handover) => void): () => void {
    let set = this.#listeners.get(cluster);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(cluster, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(cluster);
    };
  }

  get announcing(): boolean {
    return this.#listening;
  }

  /** Opens the LISTEN client. A failure here is retried in the background (watchers poll meanwhile). */
  async startListening(): Promise<void> {
    if (this.#closed) return;
    const client = new (driver().Client)(this.#config);
    client.on('error', () => this.#listenLost(client));
    client.on('end', () => this.#listenLost(client));
    client.on('notification', (message) => this.#dispatch(message.payload));
    this.#listenClient = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#channel}"`);
      if (this.#closed) await client.end();
    } catch {
      this.#listenLost(client);
      return;
    }
    if (this.#listenClient !== client) return; // lost while subscribing: a reconnect is scheduled
    this.#listening = true;
    // Announcements may have been missed while not listening: wake everyone once.
    for (const cluster of this.#listeners.keys()) this.#dispatch(cluster);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listening = false;
    clearTimeout(this.#reconnectTimer);
    const client = this.#listenClient;
    this.#listenClient = undefined;
    await client?.end().catch(ignoreError);
    await this.#pool.end().catch(ignoreError);
  }

  #listenLost(client: pg.Client): void {
    if (this.#listenClient !== client) return;
    this.#listenClient = undefined;
    this.#listening = false;
    client.end().catch(ignoreError);
    if (this.#closed) return;
    // Announcements are missed from now on: wake everyone once, so that waiters poll meanwhile.
    for (const cluster of this.#listeners.keys()) this.#dispatch(cluster);
    this.#reconnectTimer = setTimeout(() => void this.startListening(), LISTEN_RECONNECT_MS);
  }

  /**
   * Calls the listeners of the payload's cluster, once with each topic it names (with the
   * handover a topic carries, if any), or once with none.
   */
  #dispatch(payload: string | undefined): void {
    if (payload === undefined) return;
    const { cluster, topics } = parsedAnnouncement(payload);
    const listeners = this.#listeners.get(cluster);
    if (listeners === undefined) return;
    for (const listener of [...listeners]) for (const [topic, handover] of topics) listener(topic, handover);
  }
}

/**
 * Settings of this connection that let PostgreSQL acknowledge a commit it may lose in a crash
 * (see durability.ts). `synchronous_commit = local` or `remote_write` still flush the local
 * WAL; whether a failover may promote an asynchronous standby is outside what a client can see.
 */
async function durabilityProblems(connection: SqlConnection): Promise<DurabilityProblem[]> {
  const { rows } = await connection.run("SELECT current_setting('synchronous_commit') AS synchronous_commit, current_setting('fsync') AS fsync");
  const problems: DurabilityProblem[] = [];
  const synchronousCommit = String(rows[0]?.['synchronous_commit']);
  const fsync = String(rows[0]?.['fsync']);
  if (synchronousCommit === 'off') problems.push({ setting: 'synchronous_commit', value: synchronousCommit, fix: 'set it to on' });
  if (fsync === 'off') problems.push({ setting: 'fsync', value: fsync, fix: 'set it to on' });
  return problems;
}

/**
 * Opens a pool on `url` (postgres:// or postgresql://) and starts listening on `channel`.
 * Resolves once one statement has succeeded, so a wrong URL fails here; warns (once, as a
 * process warning) when the server's settings may lose a commit.
 */
export async function openPostgresConnection(url: string, channel: string): Promise<SqlConnection> {
  const connection = new PostgresConnection(
    {
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      lock_timeout: LOCK_TIMEOUT_MS,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'baton',
    },
    channel,
  );
  try {
    warnIfNotDurable('postgres', await durabilityProblems(connection));
  } catch (error) {
    await connection.close();
    throw refusedOrUnavailable('postgres', error);
  }
  await connection.startListening();
  return connection;
}
