/**
 * A fresh MariaDB/MySQL database `baton_test_<random>` on 127.0.0.1:3306 (root, no password)
 * for one test file; `teardown` drops it.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { SqlFixture } from './sqlite-fixture.js';
import { openMysqlConnection } from '../../src/backends/sql/mysql/connection.js';

export const MYSQL_HOST = '127.0.0.1';
export const MYSQL_PORT = 3306;

async function admin(sql: string): Promise<void> {
  const connection = await mysql.createConnection({ host: MYSQL_HOST, port: MYSQL_PORT, user: 'root' });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

/** URL of `database` through `host:port` (a TCP proxy in fault tests). */
export function mysqlUrl(database: string, port = MYSQL_PORT, host = MYSQL_HOST): string {
  return `mysql://root@${host}:${port}/${database}`;
}

export async function createMysqlFixture(): Promise<SqlFixture> {
  const database = `baton_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${database}`);
  const url = mysqlUrl(database);
  const raw = await openMysqlConnection(url);
  return {
    dialect: 'mysql',
    database,
    url,
    run: (sql, params) => raw.run(sql, params),
    async teardown() {
      await raw.close();
      await admin(`DROP DATABASE IF EXISTS ${database}`);
    },
  };
}
