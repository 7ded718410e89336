/**
 * MariaDB/MySQL, reached by the nodes through a proxy: a fresh database on the machine's shared
 * server, or (`privateServer`) on a MariaDB server of the suite's own, which the `server-restart`
 * fault may crash and start.
 */
import mysql from 'mysql2/promise';
import { createMysqlFixture, mysqlUrl, MYSQL_PORT } from '../../test/support/mysql-fixture.js';
import { onCleanup } from '../cleanup.js';
import { StoreProxy } from '../net/proxy.js';
import { startPrivateMariadb } from '../servers/private-mariadb.js';
import type { ChaosStore, StoreDatabase } from './chaos-store.js';

const PRIVATE_DATABASE = 'baton_chaos';

async function sharedDatabase(): Promise<StoreDatabase> {
  const fixture = await createMysqlFixture();
  return { name: fixture.database, port: MYSQL_PORT, url: fixture.url, teardown: () => fixture.teardown() };
}

async function privateDatabase(): Promise<StoreDatabase> {
  const server = await startPrivateMariadb();
  const remove = onCleanup('private MariaDB server', () => server.remove());
  try {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    await connection.query(`CREATE DATABASE ${PRIVATE_DATABASE}`);
    await connection.end();
  } catch (error) {
    await remove();
    throw error;
  }
  return { name: PRIVATE_DATABASE, port: server.port, url: mysqlUrl(PRIVATE_DATABASE, server.port), server, teardown: remove };
}

export async function mysqlStore(proxyHost: string, privateServer: boolean): Promise<ChaosStore> {
  const database = privateServer ? await privateDatabase() : await sharedDatabase();
  const proxy = await StoreProxy.start(proxyHost, database.port);
  return {
    backend: 'mysql',
    networked: true,
    nodeUrl: mysqlUrl(database.name, proxy.port, proxyHost),
    adminUrl: database.url,
    ...(database.server ? { server: database.server } : {}),
    delay: (address, delay) => proxy.delay(address, delay),
    resetConnections: () => proxy.reset(),
    restoreConnections: () => proxy.restore(),
    async lockLeaseRows(cluster) {
      const connection = await mysql.createConnection(database.url);
      await connection.query('BEGIN');
      await connection.query('SELECT * FROM baton_lease WHERE cluster = ? FOR UPDATE', [cluster]);
      return async () => {
        await connection.query('ROLLBACK');
        await connection.end();
      };
    },
    async close() {
      await proxy.close();
      await database.teardown();
    },
  };
}
