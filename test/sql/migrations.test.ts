/**
 * Schema migrations on every SQL engine: several processes opening a fresh database at once
 * all succeed and each version is recorded once; the DDL that `baton schema` prints, applied by
 * hand, is the same schema (a store opened with `migrate: false` works on it).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { schemaDdl } from '../../src/backends/sql/index.js';
import { mysqlDialect } from '../../src/backends/sql/mysql/dialect.js';
import { postgresDialect } from '../../src/backends/sql/postgres/dialect.js';
import { sqliteDialect } from '../../src/backends/sql/sqlite/dialect.js';
import { withTimeout } from '../support/wait.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { SQL_DIALECTS } from './dialects.js';

const NOW_MS = { sqlite: sqliteDialect.nowMs, postgres: postgresDialect.nowMs, mysql: mysqlDialect.nowMs } as const;
/** How long the lease planted the schema-2 way stays held on its own, in ms on the DB clock. */
const OLD_LEASE_MS = 1_500;

/** Runs the printed DDL statement by statement; `keep` chooses which. */
async function applyDdl(fixture: SqlFixture, ddl: string, keep: (statement: string) => boolean = () => true): Promise<void> {
  for (const statement of ddl.split(';\n\n')) {
    const text = statement.replace(/;\s*$/, '').trim();
    if (text !== '' && keep(text)) await fixture.run(text);
  }
}

for (const dialect of SQL_DIALECTS) {
  describe(`migrations: ${dialect.name}`, () => {
    const fixtures: SqlFixture[] = [];
    const opened: Backend[] = [];
    after(async () => {
      await Promise.allSettled(opened.map((b) => b.close()));
      for (const f of fixtures) await f.teardown();
    });
    const fresh = async () => {
      const fixture = await dialect.createFixture();
      fixtures.push(fixture);
      return fixture;
    };

    it('concurrent opens of a fresh database all succeed; each version is recorded once', async () => {
      const fixture = await fresh();
      const backends = await Promise.all(Array.from({ length: 5 }, (_, i) => openStore(fixture.url, { cluster: `c${i}` })));
      opened.push(...backends);
      const { rows } = await fixture.run('SELECT version FROM baton_migrations');
      assert.deepEqual(rows.map((r) => Number(r['version'])).sort(), [1, 2, 3, 4]);
      await Promise.all(backends.map((b, i) => b.kv.put('k', i)));
      assert.equal((await backends[3]?.kv.get('k'))?.value, 3, 'clusters share tables but not keys');
    });

    it('the printed DDL, applied by hand, serves a store opened with migrate: false', async () => {
      const fixture = await fresh();
      await applyDdl(fixture, schemaDdl(fixture.dialect, 'manual_'));
      const backend = await openStore(fixture.url, { cluster: 'm', tablePrefix: 'manual_', migrate: false });
      opened.push(backend);
      const session = await backend.openSession({ nodeId: 'n', info: {}, timing: { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 } });
      const leadership = await session.campaign('leader', {});
      assert.equal(await backend.kv.put('doc', { a: 1 }, { fence: leadership.fence }), 1);
      // Opening with migrations on finds nothing left to do.
      const again = await openStore(fixture.url, { cluster: 'm2', tablePrefix: 'manual_' });
      opened.push(again);
      const { rows } = await fixture.run('SELECT version FROM manual_migrations');
      assert.deepEqual(rows.map((r) => Number(r['version'])).sort(), [1, 2, 3, 4]);
    });

    it('a store of schema version 2 with a lease held the old way: migrated to 3, the lease stays held until its own expires_at', async () => {
      const fixture = await fresh();
      await applyDdl(fixture, schemaDdl(fixture.dialect), (text) => !text.startsWith('CREATE INDEX') && !/VALUES \((3|4),/.test(text) && !text.includes('baton_waiter'));
      const now = NOW_MS[fixture.dialect];
      // A node of an older version: a live member row, and a lease it renews on its own.
      await fixture.run(`INSERT INTO baton_member (cluster, node_id, session, info, expires_at, joined_at, renewed_at) VALUES ('old', 'n0', 's0', '{}', ${now} + 60000, ${now}, ${now})`);
      await fixture.run(
        `INSERT INTO baton_lease (cluster, name, holder, holder_node, term, version, expires_at, acquired_at, renewed_at, info) VALUES ('old', 'leader', 's0', 'n0', 7, 1, ${now} + ${OLD_LEASE_MS}, ${now}, ${now}, '{}')`,
      );
      const oldExpiry = Number((await fixture.run("SELECT expires_at FROM baton_lease WHERE cluster = 'old'")).rows[0]?.['expires_at']);

      const backend = await openStore(fixture.url, { cluster: 'old', pollIntervalMs: 50 });
      opened.push(backend);
      const { rows } = await fixture.run('SELECT version FROM baton_migrations');
      assert.deepEqual(rows.map((r) => Number(r['version'])).sort(), [1, 2, 3, 4]);
      assert.deepEqual((await backend.leader('leader'))?.term, 7, 'the lease held the old way is no longer held after the migration');
      const session = await backend.openSession({ nodeId: 'n1', info: {}, timing: { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 } });
      const leadership = await withTimeout('the campaign', session.campaign('leader', {}), 10 * OLD_LEASE_MS);
      const record = await backend.leader('leader');
      assert.equal(leadership.term, 8);
      assert.ok((record?.since ?? 0) >= oldExpiry, `taken at DB time ${record?.since}, before the old lease expired at ${oldExpiry}`);
    });
  });
}
