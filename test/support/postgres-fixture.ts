/**
 * A fresh PostgreSQL database `baton_test_<random>` on 127.0.0.1:5432 (user postgres, trust
 * auth) for one test file; `teardown` terminates its connections and drops it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { SqlFixture } from './sqlite-fixture.js';
import { openPostgresConnection } from '../../src/backends/sql/postgres/connection.js';

export const POSTGRES_HOST = '127.0.0.1';
export const POSTGRES_PORT = 5432;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: POSTGRES_HOST, port: POSTGRES_PORT, user: 'postgres', database: 'postgres' });
  client.on('error', () => undefined); // reported by the query that fails
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** URL of `database` through `host:port` (a TCP proxy in fault tests). */
export function postgresUrl(database: string, port = POSTGRES_PORT, host = POSTGRES_HOST): string {
  return `postgres://postgres@${host}:${port}/${database}`;
}

export async function createPostgresFixture(): Promise<SqlFixture> {
  const database = `baton_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${database}`));
  const url = postgresUrl(database);
  const raw = await openPostgresConnection(url, 'baton_test_raw');
  return {
    dialect: 'postgres',
    database,
    url,
    run: (sql, params) => raw.run(sql, params),
    async teardown() {
      await raw.close();
      await admin(async (c) => {
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
        await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      });
    },
  };
}
