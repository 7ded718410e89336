/**
 * PostgreSQL, reached by the nodes through a proxy: a fresh database on the machine's shared
 * server, or (`privateServer`) on a server of the suite's own, which the `server-restart` fault
 * may crash and start.
 */
import pg from 'pg';
import { createPostgresFixture, postgresUrl, POSTGRES_PORT } from '../../test/support/postgres-fixture.js';
import { onCleanup } from '../cleanup.js';
import { StoreProxy } from '../net/proxy.js';
import { startPrivatePostgres } from '../servers/private-postgres.js';
import type { ChaosStore, StoreDatabase } from './chaos-store.js';

const PRIVATE_DATABASE = 'baton_chaos';

async function sharedDatabase(): Promise<StoreDatabase> {
  const fixture = await createPostgresFixture();
  return { name: fixture.database, port: POSTGRES_PORT, url: fixture.url, teardown: () => fixture.teardown() };
}

async function privateDatabase(): Promise<StoreDatabase> {
  const server = await startPrivatePostgres();
  const remove = onCleanup('private PostgreSQL server', () => server.remove());
  const client = new pg.Client({ connectionString: postgresUrl('postgres', server.port) });
  client.on('error', () => undefined); // reported by the query that fails
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${PRIVATE_DATABASE}`);
  } catch (error) {
    await remove();
    throw error;
  } finally {
    await client.end();
  }
  return { name: PRIVATE_DATABASE, port: server.port, url: postgresUrl(PRIVATE_DATABASE, server.port), server, teardown: remove };
}

export async function postgresStore(proxyHost: string, privateServer: boolean): Promise<ChaosStore> {
  const database = privateServer ? await privateDatabase() : await sharedDatabase();
  const proxy = await StoreProxy.start(proxyHost, database.port);
  return {
    backend: 'postgres',
    networked: true,
    nodeUrl: postgresUrl(database.name, proxy.port, proxyHost),
    adminUrl: database.url,
    ...(database.server ? { server: database.server } : {}),
    delay: (address, delay) => proxy.delay(address, delay),
    resetConnections: () => proxy.reset(),
    restoreConnections: () => proxy.restore(),
    async lockLeaseRows(cluster) {
      const client = new pg.Client({ connectionString: database.url });
      client.on('error', () => undefined);
      await client.connect();
      await client.query('BEGIN');
      await client.query('SELECT * FROM baton_lease WHERE cluster = $1 FOR UPDATE', [cluster]);
      return async () => {
        await client.query('ROLLBACK');
        await client.end();
      };
    },
    async close() {
      await proxy.close();
      await database.teardown();
    },
  };
}
