/**
 * baton's backend over SQL, written once for every engine (see dialect.ts). Safety, in short:
 * lease and member expiry are judged only on the database server's clock; each holder stops
 * acting on its own monotonic clock at (start of its last successful renewal +
 * renewDeadlineMs), which comes first as long as clock RATES differ by less than
 * (ttlMs - renewDeadlineMs) / ttlMs; every term has a fencing token (`term`), and fenced KV
 * writes check it in the same transaction as the write.
 */
import { setMaxListeners } from 'node:events';
import type { Backend, BackendKind, CallOptions, ChangeListener, LeaderRecord, Member, MembersOptions, Session, SessionOptions, WatchOptions } from '../../contract/contract.js';
import type { JsonObject } from '../../contract/json.js';
import { isJsonObject } from '../../contract/json.js';
import { validateElectionName, validateSegment } from '../../contract/names.js';
import { DEFAULT_TIMING } from '../../contract/timing.js';
import type { Clock } from '../../clock.js';
import { systemClock } from '../../clock.js';
import { ClosedError, ConfigError, CorruptDocumentError, StateError, warnCorruptDocument } from '../../errors.js';
import { SharedPolls, leasePollKey, type PollSource, type Reading } from './shared-polls.js';
import { ChangeFeed } from './change-feed.js';
import { CAMPAIGN_ATTEMPTS_AT_ONCE } from './sql-campaign.js';
import { Permits } from '../../permits.js';
import type { SqlConnection, SqlRow } from './dialect.js';
import { migrate, requireSchema } from './migrations.js';
import { checkTableShapes } from './table-shape.js';
import type { SqlContext } from './sql-context.js';
import { ReleaseBatcher } from './release-batcher.js';
import { TakeBatcher } from './take-batcher.js';
import { SqlKv } from './sql-kv.js';
import { SqlSession } from './sql-session.js';
import { buildStatements } from './statements.js';
import { anySignal, raceSignal } from '../../async.js';
import { tableNames } from './table-prefix.js';

/** Options shared by every SQL engine. */
export interface SqlBackendOptions {
  readonly cluster: string;
  /** Prefix of the table names; letters, digits and `_`, starting with a letter. Default `baton_`. */
  readonly tablePrefix?: string | undefined;
  /** Apply missing schema migrations at open (default true). With false, the schema must exist. */
  readonly migrate?: boolean | undefined;
  /**
   * Open for reading only: create nothing (no migration, whatever `migrate` says) and fail with
   * NotFoundError('store') when the database has no baton tables. Default false.
   */
  readonly readOnly?: boolean | undefined;
  /** Monotonic clock for local deadlines and poll periods (default: the system clock). */
  readonly clock?: Clock | undefined;
  /** How often watches made through this backend poll, in ms on the local clock (default 500). */
  readonly pollIntervalMs?: number | undefined;
}

function parseInfo(key: string, text: unknown): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(String(text));
  } catch (error) {
    throw new CorruptDocumentError(key, 'the stored info is not valid JSON', { cause: error });
  }
  if (!isJsonObject(value)) throw new CorruptDocumentError(key, 'the stored info is not a JSON object');
  return value;
}

/** The member in `row`, or null (reported through `onCorrupt`) when its info is corrupt. */
function toMember(row: SqlRow, onCorrupt: (error: CorruptDocumentError) => void): Member | null {
  const nodeId = String(row['node_id']);
  try {
    return { nodeId, sessionId: String(row['session']), info: parseInfo(`member/${nodeId}`, row['info']) };
  } catch (error) {
    if (!(error instanceof CorruptDocumentError)) throw error;
    onCorrupt(error);
    return null;
  }
}

/**
 * When a lease row last changed hands, on the DB clock (for a watch's first reading): a live
 * lease at its acquisition; a released one at its release; one of an expired session when that
 * session expired, or (its member row already deleted, the moment unknown) "now or later", so
 * that the first reading reports it (a spurious hint is allowed, a missed one is not).
 */
function leaseChangedAt(row: SqlRow, live: boolean): number {
  if (live) return Number(row['acquired_at']);
  if (row['holder'] === null) return Number(row['expires_at']);
  const sessionExpiresAt = row['session_expires_at'];
  return Math.min(Number(row['expires_at']), sessionExpiresAt === null ? Number.MAX_SAFE_INTEGER : Number(sessionExpiresAt));
}

/**
 * A reading of the member list or of a lease row, with how long after the read (ms on the DB
 * clock) it may change without an announcement (see PollSource.unannouncedChangeInMs).
 */
interface TimedReading extends Reading {
  readonly unannouncedChangeInMs: number;
}

/** A column of ms from now on the DB clock; null (a member row gone) and unreadable count as never. */
function msOrNever(value: unknown): number {
  const ms = value === null || value === undefined ? Infinity : Number(value);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * A member watch's reading of the member list. A join, an info change and a graceful leave are
 * announced (sql-session.ts); an expiry is not, so the list may change unannounced when its
 * first member expires.
 */
function readingOfMembers(rows: readonly SqlRow[]): TimedReading {
  return {
    fingerprint: rows.map((r) => `${String(r['node_id'])}|${String(r['session'])}|${String(r['info'])}`).sort().join('\n'),
    changedAt: Math.max(0, ...rows.map((r) => Number(r['joined_at']))),
    unannouncedChangeInMs: Math.min(Infinity, ...rows.map((r) => msOrNever(r['expires_in_ms']))),
  };
}

/**
 * A leader watch's reading of one lease row (undefined: no row). Takes and releases are
 * announced (topic: the election); a live lease ends unannounced when its holder's session or
 * the row itself expires, whichever comes first.
 */
function readingOfLease(row: SqlRow | undefined): TimedReading {
  if (row === undefined) return { fingerprint: '', changedAt: 0, unannouncedChangeInMs: Infinity };
  const live = Number(row['live']) === 1;
  return {
    fingerprint: live ? `${String(row['holder'])}|${String(row['term'])}|${String(row['info'])}` : '',
    changedAt: leaseChangedAt(row, live),
    unannouncedChangeInMs: live ? Math.min(msOrNever(row['session_expires_in_ms']), msOrNever(row['lease_expires_in_ms'])) : Infinity,
  };
}

export class SqlBackend implements Backend {
  readonly kind: BackendKind;
  readonly cluster: string;
  readonly kv: SqlKv;
  readonly #ctx: SqlContext;
  readonly #closed: AbortController;
  #session: SqlSession | undefined;
  #closing: Promise<void> | undefined;

  private constructor(ctx: SqlContext, closed: AbortController) {
    this.#ctx = ctx;
    this.#closed = closed;
    this.kind = ctx.kind;
    this.cluster = ctx.cluster;
    this.kv = new SqlKv(ctx);
  }

  /**
   * Wraps an open connection: validates the cluster name, table prefix and poll interval,
   * applies migrations unless `migrate === false`. Closes the connection if any step fails.
   */
  static async open(kind: BackendKind, connection: SqlConnection, options: SqlBackendOptions): Promise<SqlBackend> {
    try {
      validateSegment('cluster name', options.cluster);
      const tables = tableNames(options.tablePrefix);
      const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_TIMING.pollIntervalMs;
      if (!Number.isInteger(pollIntervalMs) || pollIntervalMs <= 0) {
        throw new ConfigError('store.pollIntervalMs', `must be a positive whole number of milliseconds, got ${String(pollIntervalMs)}`);
      }
      await checkTableShapes(connection, connection.dialect, tables); // a foreign table of our name fails here, not in every statement later
      if (options.readOnly === true) await requireSchema(connection, tables);
      else if (options.migrate !== false) await migrate(connection, tables);
      const clock = options.clock ?? systemClock;
      const closed = new AbortController();
      // Every campaign and watch of this backend listens to `closed`: no listener limit
      // (Infinity, not 0: on Node 20 `getMaxListeners` throws for an AbortSignal set to 0).
      setMaxListeners(Infinity, closed.signal);
      const sql = buildStatements(connection.dialect, tables);
      const campaignPermits = new Permits(CAMPAIGN_ATTEMPTS_AT_ONCE);
      const statement = sql.leaseTakeOrInsertMany;
      const takes = statement === null ? undefined : new TakeBatcher({ connection, cluster: options.cluster, statement, permits: campaignPermits, closed: closed.signal });
      const releaseMany = connection.dialect.handsOver ? sql.leaseHandOverMany : sql.leaseReleaseMany;
      const releases = releaseMany === null ? undefined : new ReleaseBatcher({ connection, cluster: options.cluster, statement: releaseMany, permits: campaignPermits, closed: closed.signal });
      const feed = new ChangeFeed(connection, options.cluster, clock);
      const ctx: SqlContext = {
        kind,
        cluster: options.cluster,
        connection,
        sql,
        clock,
        feed,
        polls: new SharedPolls(feed, clock, async () => Number((await connection.readBatched(sql.dbNow)).rows[0]?.['now_ms']), pollIntervalMs),
        campaignPermits,
        takes,
        releases,
        pollIntervalMs,
        closed: closed.signal,
        checkOpen: () => {
          if (closed.signal.aborted) throw new ClosedError(`${kind} backend`);
        },
      };
      return new SqlBackend(ctx, closed);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /** Live members; one whose info is corrupt is reported and skipped, so it hides nobody else. */
  async members(options?: MembersOptions): Promise<Member[]> {
    this.#ctx.checkOpen();
    const { rows } = await raceSignal(this.#ctx.connection.readBatched(this.#ctx.sql.memberList, [this.cluster]), options?.signal, 'list members');
    const onCorrupt = options?.onCorrupt ?? warnCorruptDocument;
    return rows
      .map((row) => toMember(row, onCorrupt))
      .filter((m): m is Member => m !== null)
      .sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }

  watchMembers(listener: ChangeListener, options: WatchOptions): void {
    const read = async () => readingOfMembers((await this.#ctx.connection.readBatched(this.#ctx.sql.memberList, [this.cluster])).rows);
    this.#watch({ key: 'members', read }, listener, options);
  }

  async clusters(options?: CallOptions): Promise<string[]> {
    this.#ctx.checkOpen();
    const { rows } = await raceSignal(this.#ctx.connection.run(this.#ctx.sql.clusterList), options?.signal, 'list clusters');
    return rows.map((r) => String(r['cluster'])).sort();
  }

  async leader(election: string, options?: CallOptions): Promise<LeaderRecord | null> {
    validateElectionName(election);
    this.#ctx.checkOpen();
    const { rows } = await raceSignal(this.#ctx.connection.run(this.#ctx.sql.leaderRead, [this.cluster, election]), options?.signal, 'read leader');
    const row = rows[0];
    if (row === undefined) return null;
    return {
      election,
      nodeId: String(row['holder_node']),
      sessionId: String(row['holder']),
      term: Number(row['term']),
      since: Number(row['acquired_at']),
      info: parseInfo(`lease/${election}`, row['info']),
    };
  }

  watchLeader(election: string, listener: ChangeListener, options: WatchOptions): void {
    validateElectionName(election);
    const read = async () => readingOfLease((await this.#ctx.connection.readBatched(this.#ctx.sql.leaseState, [this.cluster, election])).rows[0]);
    this.#watch({ key: leasePollKey(election), read, topic: election }, listener, options);
  }

  async openSession(options: SessionOptions): Promise<Session> {
    this.#ctx.checkOpen();
    const previous = this.#session;
    // A lost session has already stopped everything; only a live one blocks a new session.
    if (previous !== undefined && (previous.state === 'live' || previous.state === 'suspended')) {
      throw new StateError(`a session is already open on this backend (node "${previous.nodeId}"); close it first`);
    }
    const session = await SqlSession.open(this.#ctx, options, () => {
      if (this.#session === session) this.#session = undefined;
    });
    this.#session = session;
    return session;
  }

  /** Closes the session gracefully (releasing its leases and member row), then the connection. */
  close(): Promise<void> {
    if (this.#closing === undefined) this.#closing = this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    let failure: unknown;
    try {
      await this.#session?.close();
    } catch (error) {
      failure = error;
    }
    this.#closed.abort(new ClosedError(`${this.kind} backend`));
    this.#ctx.feed.close();
    await this.#ctx.connection.close();
    if (failure !== undefined) throw failure;
  }

  /** A watch whose reading is the whole result of `read` (one poll per key, shared). */
  #watch(source: Omit<PollSource<TimedReading>, 'unannouncedChangeInMs'>, listener: ChangeListener, options: WatchOptions): void {
    this.#ctx.checkOpen();
    const timed: PollSource<TimedReading> = { ...source, unannouncedChangeInMs: (reading) => reading.unannouncedChangeInMs };
    this.#ctx.polls.watch(timed, (reading) => reading, listener, anySignal(options.signal, this.#ctx.closed));
  }
}
