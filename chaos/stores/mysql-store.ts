/** MariaDB/MySQL: a fresh database on the machine's server, reached by the nodes through a proxy. */
import mysql from 'mysql2/promise';
import { createMysqlFixture, mysqlUrl, MYSQL_PORT } from '../../test/support/mysql-fixture.js';
import { StoreProxy } from '../net/proxy.js';
import type { ChaosStore } from './chaos-store.js';

export async function mysqlStore(proxyHost: string): Promise<ChaosStore> {
  const fixture = await createMysqlFixture();
  const proxy = await StoreProxy.start(proxyHost, MYSQL_PORT);
  return {
    backend: 'mysql',
    networked: true,
    nodeUrl: mysqlUrl(fixture.database, proxy.port, proxyHost),
    adminUrl: fixture.url,
    delay: (address, delay) => proxy.delay(address, delay),
    resetConnections: () => proxy.reset(),
    restoreConnections: () => proxy.restore(),
    async lockLeaseRows(cluster) {
      const connection = await mysql.createConnection(fixture.url);
      await connection.query('BEGIN');
      await connection.query('SELECT * FROM baton_lease WHERE cluster = ? FOR UPDATE', [cluster]);
      return async () => {
        await connection.query('ROLLBACK');
        await connection.end();
      };
    },
    async close() {
      await proxy.close();
      await fixture.teardown();
    },
  };
}
