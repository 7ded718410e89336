/**
 * The private store servers of the chaos suite (chaos/servers/): a crash loses every connection,
 * refuses new ones until the start, and keeps every committed row; removal leaves nothing
 * behind; servers of a dead controller are removed at the next start.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { startPrivateMariadb } from '../../chaos/servers/private-mariadb.js';
import { startPrivatePostgres } from '../../chaos/servers/private-postgres.js';
import { removeStaleServers, type PrivateServer } from '../../chaos/servers/private-server.js';

interface Session {
  query(sql: string): Promise<unknown[]>;
  close(): Promise<void>;
}

async function postgresSession(port: number): Promise<Session> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  client.on('error', () => undefined); // the lost connection; the next query reports it
  await client.connect();
  return { query: async (sql) => (await client.query(sql)).rows, close: () => client.end().catch(() => undefined) };
}

async function mariadbSession(port: number): Promise<Session> {
  const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: 'mysql' });
  connection.on('error', () => undefined);
  return { query: async (sql) => (await connection.query(sql))[0] as unknown[], close: () => connection.end().catch(() => undefined) };
}

const SERVERS = [
  { kind: 'PostgreSQL', start: startPrivatePostgres, session: postgresSession, table: 'public.survivor' },
  { kind: 'MariaDB', start: startPrivateMariadb, session: mariadbSession, table: 'mysql.survivor' },
] as const;

for (const { kind, start, session, table } of SERVERS) {
  describe(`private ${kind} server of the chaos suite`, () => {
    let server: PrivateServer | undefined;
    after(() => server?.remove());

    it('crashes with every connection lost, refuses connections while down, starts with every committed row', async () => {
      server = await start();
      const before = await session(server.port);
      await before.query(`CREATE TABLE ${table} (id INT PRIMARY KEY)`);
      await before.query(`INSERT INTO ${table} VALUES (1)`);

      await server.crash();
      await assert.rejects(before.query('SELECT 1'), 'the open connection survived the crash');
      await before.close();
      await assert.rejects(session(server.port), 'a connection was accepted while the server was down');

      await server.start();
      const afterRestart = await session(server.port);
      assert.deepEqual((await afterRestart.query(`SELECT id FROM ${table}`)).map((r) => Number((r as { id: unknown }).id)), [1]);
      await afterRestart.close();
    });

    it('leaves neither a process nor its data behind when removed', async () => {
      const port = server!.port;
      await server!.remove();
      server = undefined;
      await assert.rejects(session(port), 'the server still answers after removal');
      assert.deepEqual(readdirSync(os.tmpdir()).filter((n) => n.startsWith(`baton-chaos-server-${process.pid}-`)), []);
    });
  });
}

describe('stale private servers', () => {
  it('removes the directory of a dead controller, keeps a live one', () => {
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const dead = path.join(os.tmpdir(), `baton-chaos-server-${deadPid}-postgres-test`);
    const live = path.join(os.tmpdir(), `baton-chaos-server-${process.pid}-postgres-test`);
    mkdirSync(path.join(dead, 'data'), { recursive: true });
    mkdirSync(live, { recursive: true });
    try {
      removeStaleServers();
      assert.equal(existsSync(dead), false, 'the dead controller\'s directory is still there');
      assert.equal(existsSync(live), true, 'the live controller\'s directory was removed');
    } finally {
      spawnSync('rm', ['-rf', dead, live]);
    }
  });
});
