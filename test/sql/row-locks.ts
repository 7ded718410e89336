/**
 * Row locks held by a foreign transaction, for the SQL fault tests (PostgreSQL, MySQL): what a
 * busy database or a stuck client does to baton's statements on those rows (they wait).
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createMysqlFixture, MYSQL_HOST, MYSQL_PORT, mysqlUrl } from '../support/mysql-fixture.js';
import { createPostgresFixture, POSTGRES_HOST, POSTGRES_PORT, postgresUrl } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';

/** A foreign transaction holding row locks until `release()` commits it. */
export interface RowLock {
  release(): Promise<void>;
}

export interface LockingEngine {
  readonly name: 'postgres' | 'mysql';
  createFixture(): Promise<SqlFixture>;
  /** Where the server listens (for a TcpProxy in front of it). */
  readonly host: string;
  readonly port: number;
  /** The fixture's store URL through `host:port` (a proxy). */
  urlThrough(fixture: SqlFixture, port: number, host?: string): string;
  /** Opens a transaction and runs `select` (ending in FOR UPDATE, `?` placeholders) in it. */
  lockRows(fixture: SqlFixture, select: string, params: readonly string[]): Promise<RowLock>;
  /** How many statements on this database wait for a row lock now. */
  lockWaiters(fixture: SqlFixture): Promise<number>;
  /** How often lockWaiters may be polled and still see changes, in ms on the local clock. */
  readonly lockWaitersPollMs: number;
}

/** Waits until `condition` holds of the number of statements waiting for a row lock. */
export function waitForLockWaiters(engine: LockingEngine, fixture: SqlFixture, what: string, condition: (waiters: number) => boolean): Promise<boolean> {
  return waitFor(what, async () => condition(await engine.lockWaiters(fixture)), { intervalMs: engine.lockWaitersPollMs });
}

export const LOCKING_ENGINES: readonly LockingEngine[] = [
  {
    name: 'postgres',
    createFixture: createPostgresFixture,
    host: POSTGRES_HOST,
    port: POSTGRES_PORT,
    urlThrough: (fixture, port, host) => postgresUrl(fixture.database, port, host),
    async lockRows(fixture, select, params) {
      const client = new pg.Client({ connectionString: fixture.url });
      client.on('error', () => undefined); // reported by the query that fails
      await client.connect();
      await client.query('BEGIN');
      let n = 0;
      await client.query(select.replace(/\?/g, () => `$${++n}`), [...params]);
      return {
        async release() {
          await client.query('COMMIT');
          await client.end();
        },
      };
    },
    async lockWaiters(fixture) {
      const { rows } = await fixture.run("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      return Number(rows[0]?.['n']);
    },
    lockWaitersPollMs: 20,
  },
  {
    name: 'mysql',
    createFixture: createMysqlFixture,
    host: MYSQL_HOST,
    port: MYSQL_PORT,
    urlThrough: (fixture, port, host) => mysqlUrl(fixture.database, port, host),
    async lockRows(fixture, select, params) {
      const connection = await mysql.createConnection(fixture.url);
      await connection.beginTransaction();
      await connection.query(select, [...params]);
      return {
        async release() {
          await connection.commit();
          await connection.end();
        },
      };
    },
    async lockWaiters(fixture) {
      const { rows } = await fixture.run(
        "SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()",
      );
      return Number(rows[0]?.['n']);
    },
    // InnoDB refreshes its information_schema tables only when they were last read more than
    // 100 ms ago: polled faster, INNODB_TRX never changes.
    lockWaitersPollMs: 150,
  },
];
