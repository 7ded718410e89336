/**
 * A SqlConnection wrapper for the session-bound lease tests: counts the statements baton sends
 * (writes apart), and can make chosen statements fail as an unreachable store would, or wait.
 * Opened over any fixture's engine, so one test runs on SQLite, PostgreSQL and MariaDB alike.
 */
import type { CallOptions } from '../../src/contract/contract.js';
import type { SqlConnection, SqlExecutor, SqlParam, SqlResult, WriteOptions } from '../../src/backends/sql/dialect.js';
import { ForwardingConnection } from './forwarding-connection.js';
import { openMysqlConnection } from '../../src/backends/sql/mysql/connection.js';
import { openPostgresConnection } from '../../src/backends/sql/postgres/connection.js';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { openSqliteConnection } from '../../src/backends/sql/sqlite/connection.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { deferred } from '../../src/node/deferred.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';

/** A statement that changes rows (PostgreSQL wraps announced ones in `WITH changed AS (...)`). */
const WRITE = /^\s*(INSERT|UPDATE|DELETE|WITH\s+changed\s+AS\s+\(\s*(INSERT|UPDATE|DELETE))\b/i;

export class WatchedConnection extends ForwardingConnection {
  /** Statements sent, those of them that write, and the member-row renewals among those. */
  statements = 0;
  writes = 0;
  memberRenewals = 0;
  #failing: ((sql: string) => boolean) | undefined;
  #holding: { which: (sql: string) => boolean; arrived: () => void; released: Promise<void> } | undefined;

  /** From now on, statements for which `which` holds fail with StoreUnavailableError (all: `() => true`). */
  fail(which: (sql: string) => boolean): void {
    this.#failing = which;
  }

  /**
   * From now on, the answers of statements for which `which` holds wait until `release` is
   * called, as a slow network would keep them; `arrived` settles when the first answer waits.
   */
  hold(which: (sql: string) => boolean): { arrived: Promise<void>; release: () => void } {
    const arrived = deferred<void>();
    const released = deferred<void>();
    this.#holding = { which, arrived: arrived.resolve, released: released.promise };
    const release = () => {
      this.#holding = undefined;
      released.resolve();
    };
    return { arrived: arrived.promise, release };
  }

  override run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    return this.#send(sql, () => this.inner.run(sql, params));
  }

  override transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: CallOptions): Promise<T> {
    return this.inner.transaction((tx) => fn({ run: (sql, params) => this.#send(sql, () => tx.run(sql, params)) }), options);
  }

  override runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string, options?: WriteOptions): Promise<SqlResult> {
    return this.#send(sql, () => this.inner.runAndAnnounce(sql, params, cluster, options));
  }

  #send(sql: string, statement: () => Promise<SqlResult>): Promise<SqlResult> {
    if (this.#failing?.(sql)) return Promise.reject(new StoreUnavailableError('test: statement made to fail'));
    this.statements++;
    if (WRITE.test(sql)) this.writes++;
    if (isMemberRenewal(sql)) this.memberRenewals++;
    const holding = this.#holding;
    if (holding?.which(sql)) {
      return statement().finally(async () => {
        holding.arrived();
        await holding.released;
      });
    }
    return statement();
  }
}

/** baton's own connection to the fixture's database (what openStore would open). */
export async function openConnection(fixture: SqlFixture): Promise<SqlConnection> {
  if (fixture.dialect === 'sqlite') return openSqliteConnection(fixture.database);
  if (fixture.dialect === 'postgres') return openPostgresConnection(fixture.url, `${tableNames().prefix}changes`);
  return openMysqlConnection(fixture.url);
}

/** A backend on the fixture whose statements go through a WatchedConnection. */
export async function openWatched(fixture: SqlFixture, cluster: string, pollIntervalMs: number): Promise<{ backend: SqlBackend; connection: WatchedConnection }> {
  const connection = new WatchedConnection(await openConnection(fixture));
  const backend = await SqlBackend.open(fixture.dialect, connection, { cluster, pollIntervalMs });
  return { backend, connection };
}

/** A member-row renewal (the statement the tests make fail to stall a session). */
export const isMemberRenewal = (sql: string): boolean => /^\s*UPDATE\s+\S*member\S*\s+SET\s+expires_at/i.test(sql);

/** The read of every lease row a session holds, which its reconciliation sends when the digest differs. */
export const isSessionLeasesRead = (sql: string): boolean => /^\s*SELECT\s+name,\s*term\s+FROM\s+\S*lease\S*\s+WHERE\s+cluster\s*=\s*\?\s+AND\s+holder\s*=\s*\?/i.test(sql);

/**
 * A lease release, plain or handing over, of one election or many (the statement the tests
 * make fail to leave a row behind); a statement of many starts with a WITH.
 */
export const isLeaseRelease = (sql: string): boolean => /^\s*(WITH \w+ AS .*\)\s+)?UPDATE\s+\S*lease\S*\s+SET\s+holder\s*=\s*(NULL|next\.session)\b/is.test(sql);
