/**
 * Schema migrations on every SQL engine: several processes opening a fresh database at once
 * all succeed and each version is recorded once; the DDL that `baton schema` prints, applied by
 * hand, is the same schema (a store opened with `migrate: false` works on it).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Backend } from '../../src/backend/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { schemaDdl } from '../../src/backends/sql/index.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { SQL_DIALECTS } from './dialects.js';

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
      assert.deepEqual(rows.map((r) => Number(r['version'])).sort(), [1, 2]);
      await Promise.all(backends.map((b, i) => b.kv.put('k', i)));
      assert.equal((await backends[3]?.kv.get('k'))?.value, 3, 'clusters share tables but not keys');
    });

    it('the printed DDL, applied by hand, serves a store opened with migrate: false', async () => {
      const fixture = await fresh();
      const ddl = schemaDdl(fixture.dialect, 'manual_');
      for (const statement of ddl.split(';\n\n')) {
        const text = statement.replace(/;\s*$/, '').trim();
        if (text !== '') await fixture.run(text);
      }
      const backend = await openStore(fixture.url, { cluster: 'm', tablePrefix: 'manual_', migrate: false });
      opened.push(backend);
      const session = await backend.openSession({ nodeId: 'n', info: {}, timing: { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 } });
      const leadership = await session.campaign('leader', {});
      assert.equal(await backend.kv.put('doc', { a: 1 }, { fence: leadership.fence }), 1);
      // Opening with migrations on finds nothing left to do.
      const again = await openStore(fixture.url, { cluster: 'm2', tablePrefix: 'manual_' });
      opened.push(again);
      const { rows } = await fixture.run('SELECT version FROM manual_migrations');
      assert.deepEqual(rows.map((r) => Number(r['version'])).sort(), [1, 2]);
    });
  });
}
