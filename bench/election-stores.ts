/**
 * Throw-away stores for the election benchmark: a temporary SQLite file, and fresh databases
 * on the local PostgreSQL (127.0.0.1:5432, user postgres) and MariaDB (127.0.0.1:3306, root).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';

export interface BenchStore {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

async function pgAdmin(sql: string, params: string[] = []): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  client.on('error', () => undefined); // reported by the query that fails
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

async function mysqlAdmin(sql: string): Promise<void> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

export async function createBenchStore(kind: 'sqlite' | 'postgres' | 'mysql'): Promise<BenchStore> {
  const database = `baton_bench_${randomBytes(5).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-bench-'));
    return { name: 'SQLite', url: `sqlite:${path.join(dir, 'baton.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (kind === 'postgres') {
    await pgAdmin(`CREATE DATABASE ${database}`);
    return {
      name: 'PostgreSQL',
      url: `postgres://postgres@127.0.0.1:5432/${database}`,
      async drop() {
        await pgAdmin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
        await pgAdmin(`DROP DATABASE IF EXISTS ${database}`);
      },
    };
  }
  await mysqlAdmin(`CREATE DATABASE ${database}`);
  return { name: 'MySQL (MariaDB)', url: `mysql://root@127.0.0.1:3306/${database}`, drop: () => mysqlAdmin(`DROP DATABASE IF EXISTS ${database}`) };
}

/** The SQL stores every SQL benchmark runs on. */
export const SQL_KINDS = ['sqlite', 'postgres', 'mysql'] as const;

/**
 * Runs `measure` on a fresh database of each SQL store and drops it after; a store that cannot
 * be created (its server is not running) is listed in `skipped` with the reason.
 */
export async function onEachSqlStore<T>(what: string, measure: (store: BenchStore, kind: (typeof SQL_KINDS)[number]) => Promise<T>): Promise<{ results: T[]; skipped: string[] }> {
  const results: T[] = [];
  const skipped: string[] = [];
  for (const kind of SQL_KINDS) {
    let store: BenchStore;
    try {
      store = await createBenchStore(kind);
    } catch (error) {
      skipped.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    try {
      console.log(`  ${what} on ${store.name} ...`);
      results.push(await measure(store, kind));
    } finally {
      await store.drop();
    }
  }
  return { results, skipped };
}
