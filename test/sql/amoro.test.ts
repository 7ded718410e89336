/**
 * Amoro's database beside baton, on each SQL engine: a table prefix that would make baton's
 * lease table Amoro's `ha_lease` (DDL as in Amoro's ams-mysql-init.sql / ams-postgres-init.sql)
 * fails at open with a clear error instead of a node that reports "started" and loops on a
 * missing column; and `baton status|leader --amoro` read Amoro's HA rows without writing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/backends/open-store.js';
import { ConfigError } from '../../src/errors.js';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo } from '../support/capture-io.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { SQL_DIALECTS } from './dialects.js';

/** Amoro's ha_lease and bucket_assignments, in the SQL all three engines take. */
const AMORO_DDL = [
  `CREATE TABLE ha_lease (cluster_name VARCHAR(64) NOT NULL, service_name VARCHAR(64) NOT NULL, node_id VARCHAR(256) NULL, node_ip VARCHAR(64) NULL,
    server_info_json TEXT NULL, lease_expire_ts BIGINT NULL, version INT NOT NULL DEFAULT 0, updated_at BIGINT NOT NULL, PRIMARY KEY (cluster_name, service_name))`,
  `CREATE TABLE bucket_assignments (cluster_name VARCHAR(64) NOT NULL, node_key VARCHAR(256) NOT NULL, server_info_json TEXT NULL, assignments_json TEXT NULL,
    last_update_time BIGINT NOT NULL DEFAULT 0, node_heartbeat_ts BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (cluster_name, node_key))`,
];


for (const { name, createFixture } of SQL_DIALECTS) {
  describe(`Amoro's tables beside baton (${name})`, () => {
    let db: SqlFixture;
    before(async () => {
      db = await createFixture();
      for (const statement of AMORO_DDL) await db.run(statement);
    });
    after(async () => {
      await db?.teardown();
    });

    const tables = async (): Promise<string[]> => {
      const sql = name === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'table'"
        : name === 'postgres'
          ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()'
          : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()';
      return (await db.run(sql)).rows.map((r) => String(r['name'] ?? r['NAME'])).sort();
    };

    it('the prefix "ha_" (baton\'s lease table would be Amoro\'s ha_lease) is refused at open, naming the table, and creates nothing', async () => {
      const before = await tables();
      await assert.rejects(openStore(db.url, { cluster: 'c1', tablePrefix: 'ha_' }), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(error.key, 'store.tablePrefix');
        assert.match(error.message, /table "ha_lease" already exists and is not baton's lease table/);
        assert.match(error.message, /lacks \(cluster, name, holder/);
        return true;
      });
      assert.deepEqual(await tables(), before);
      const backend = await openStore(db.url, { cluster: 'c1' });
      await backend.close();
      const again = await openStore(db.url, { cluster: 'c1' }); // baton's own tables pass the check
      await again.close();
    });

    if (name === 'sqlite') return; // Amoro keeps HA state in MySQL or PostgreSQL only

    it('"baton status --amoro" and "baton leader --amoro" read the ha_lease rows and heartbeats, writing nothing', async () => {
      const now = Number((await db.run(name === 'postgres' ? 'SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT AS now' : 'SELECT CAST(UNIX_TIMESTAMP(SYSDATE(3)) * 1000 AS SIGNED) AS now')).rows[0]?.['now']);
      const table = '{"host":"10.0.0.1","thriftBindPort":1260,"restBindPort":1630}';
      const optimizing = '{"host":"10.0.0.1","thriftBindPort":1261,"restBindPort":1630}';
      const insert = 'INSERT INTO ha_lease (cluster_name, service_name, node_id, node_ip, server_info_json, lease_expire_ts, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
      await db.run(insert, ['default', 'AMS', '10.0.0.1:1261:3c1b', '10.0.0.1', table, now + 60_000, 7, now]);
      await db.run(insert, ['default', 'TABLE_SERVICE', '10.0.0.1:1261:3c1b', '10.0.0.1', table, null, 0, now]);
      await db.run(insert, ['default', 'OPTIMIZING_SERVICE', '10.0.0.1:1261:3c1b', '10.0.0.1', optimizing, null, 0, now]);
      const heartbeat = 'INSERT INTO bucket_assignments (cluster_name, node_key, server_info_json, node_heartbeat_ts) VALUES (?, ?, ?, ?)';
      await db.run(heartbeat, ['default', '10.0.0.1:1261', optimizing, now]);
      await db.run(heartbeat, ['default', '10.0.0.2:1261', '{"host":"10.0.0.2","thriftBindPort":1261,"restBindPort":1630}', now - 5_000]);
      const before = await tables();

      const status = captureIo();
      assert.equal(await runCli(['status', '--amoro', '--store', db.url, '--json'], status), 0, status.stderr.join('\n'));
      const view = JSON.parse(status.stdout.join('')) as { source: string; leader: Record<string, unknown>; nodes: { key: string; heartbeatAgeMs: number }[] };
      assert.equal(view.source, 'database');
      assert.equal(view.leader['nodeId'], '10.0.0.1:1261:3c1b');
      assert.deepEqual(view.leader['tableService'], { host: '10.0.0.1', thriftBindPort: 1260, restBindPort: 1630 });
      assert.deepEqual(view.leader['optimizingService'], { host: '10.0.0.1', thriftBindPort: 1261, restBindPort: 1630 });
      assert.equal(view.leader['leaseExpiresAt'], now + 60_000);
      assert.equal(view.leader['leaseVersion'], 7);
      assert.deepEqual(view.nodes.map((n) => n.key), ['10.0.0.1:1261', '10.0.0.2:1261']);
      assert.ok((view.nodes[1]?.heartbeatAgeMs ?? 0) >= 5_000);

      const leader = captureIo();
      assert.equal(await runCli(['leader', '--amoro', '--store', db.url], leader), 0, leader.stderr.join('\n'));
      assert.match(leader.stdout.join(''), /table service 10\.0\.0\.1:1260\s+optimizing service 10\.0\.0\.1:1261\s+rest 1630/);

      await db.run("UPDATE ha_lease SET lease_expire_ts = ? WHERE service_name = 'AMS'", [now - 1]);
      const expired = captureIo();
      assert.equal(await runCli(['leader', '--amoro', '--store', db.url], expired), 0);
      assert.equal(expired.stdout.join('').trim(), 'no leader');
      const other = captureIo();
      assert.equal(await runCli(['leader', '--amoro-cluster', 'other', '--store', db.url, '--json'], other), 0);
      assert.equal(other.stdout.join('').trim(), 'null');
      assert.deepEqual(await tables(), before, 'the reader created no table');
    });
  });
}
