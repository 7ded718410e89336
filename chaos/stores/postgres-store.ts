/** PostgreSQL: a fresh database on the machine's server, reached by the nodes through a proxy. */
import pg from 'pg';
import { createPostgresFixture, postgresUrl, POSTGRES_PORT } from '../../test/support/postgres-fixture.js';
import { StoreProxy } from '../net/proxy.js';
import type { ChaosStore } from './chaos-store.js';

export async function postgresStore(proxyHost: string): Promise<ChaosStore> {
  const fixture = await createPostgresFixture();
  const proxy = await StoreProxy.start(proxyHost, POSTGRES_PORT);
  return {
    backend: 'postgres',
    networked: true,
    nodeUrl: postgresUrl(fixture.database, proxy.port, proxyHost),
    adminUrl: fixture.url,
    delay: (address, delay) => proxy.delay(address, delay),
    resetConnections: () => proxy.reset(),
    restoreConnections: () => proxy.restore(),
    async lockLeaseRows(cluster) {
      const client = new pg.Client({ connectionString: fixture.url });
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
      await fixture.teardown();
    },
  };
}
