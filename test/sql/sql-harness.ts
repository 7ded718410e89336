/**
 * The contract harness for one SQL engine, over a fixture database. Raw writes go through the
 * fixture's own connection, bypassing baton's validation.
 */
import type { SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { postgresDialect } from '../../src/backends/sql/postgres/dialect.js';
import { mysqlDialect } from '../../src/backends/sql/mysql/dialect.js';
import { sqliteDialect } from '../../src/backends/sql/sqlite/dialect.js';
import type { ContractHarness } from '../contract/harness.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';

/**
 * Short timings on real clocks: ttl well above a handover, deadline and retry short so that
 * expiry scenarios end within a few seconds.
 */
export const SQL_TEST_TIMING: SessionTiming = Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 });

const DIALECTS = { sqlite: sqliteDialect, postgres: postgresDialect, mysql: mysqlDialect } as const;

export function sqlHarness(name: string, createFixture: () => Promise<SqlFixture>, timing = SQL_TEST_TIMING): ContractHarness {
  let fixture: SqlFixture | undefined;
  const current = (): SqlFixture => {
    if (fixture === undefined) throw new Error('harness used before setup');
    return fixture;
  };
  const tables = tableNames();
  const q = (id: string) => DIALECTS[current().dialect].quote(id);
  return {
    name,
    timing,
    async setup() {
      fixture = await createFixture();
      // Create the schema once, so the suite's first open does not race the migration.
      const backend = await openStore(fixture.url, { cluster: 'setup' });
      await backend.close();
    },
    open: (cluster) => openStore(current().url, { cluster, pollIntervalMs: timing.pollIntervalMs }),
    async writeRawKv(cluster, key, text) {
      const f = current();
      const { changes } = await f.run(`UPDATE ${q(tables.kv)} SET value = ?, version = version + 1, deleted = 0 WHERE cluster = ? AND ${q('key')} = ?`, [text, cluster, key]);
      if (changes === 0) await f.run(`INSERT INTO ${q(tables.kv)} (cluster, ${q('key')}, value, version, updated_at) VALUES (?, ?, ?, 1, 0)`, [cluster, key, text]);
    },
    async writeRawLeaderInfo(cluster, election, text) {
      await current().run(`UPDATE ${q(tables.lease)} SET info = ? WHERE cluster = ? AND name = ?`, [text, cluster, election]);
    },
    async writeRawMemberInfo(cluster, nodeId, text) {
      await current().run(`UPDATE ${q(tables.member)} SET info = ? WHERE cluster = ? AND node_id = ?`, [text, cluster, nodeId]);
    },
    async disturbLeader(cluster, election) {
      // Someone else took the term over behind the holder's back (a new holder, a new term).
      await current().run(`UPDATE ${q(tables.lease)} SET holder = 'intruder', term = term + 1, version = version + 1 WHERE cluster = ? AND name = ?`, [cluster, election]);
    },
    async teardown() {
      await fixture?.teardown();
      fixture = undefined;
    },
  };
}
