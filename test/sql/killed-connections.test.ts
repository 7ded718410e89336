/**
 * The server kills every connection of the backend (PostgreSQL pg_terminate_backend, MySQL
 * KILL), as a server restart or an admin would. Idle pooled connections die with an 'error'
 * event: it must not crash the process; the next statements reconnect; a leader whose
 * renewals resume in time keeps leading, and watches keep working.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { createMysqlFixture } from '../support/mysql-fixture.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { SQL_TEST_TIMING } from './sql-harness.js';

/** Kills every connection to the fixture's database except the fixture's own; returns how many. */
const killers: Record<string, (f: SqlFixture) => Promise<number>> = {
  postgres: async (f) => {
    const { rows } = await f.run(
      "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'baton'",
    );
    return rows.length;
  },
  mysql: async (f) => {
    const { rows } = await f.run('SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()');
    for (const row of rows) await f.run(`KILL ${Number(row['id'])}`).catch(() => undefined); // may have gone already
    return rows.length;
  },
};

const cases = [
  { name: 'postgres', createFixture: createPostgresFixture },
  { name: 'mysql', createFixture: createMysqlFixture },
];

for (const c of cases) {
  describe(`connections killed by the server: ${c.name}`, () => {
    let fixture: SqlFixture | undefined;
    const opened: Backend[] = [];
    after(async () => {
      await Promise.allSettled(opened.map((b) => b.close()));
      await fixture?.teardown();
    });

    it('no crash; the leader keeps leading; watches keep working', async () => {
      fixture = await c.createFixture();
      const cluster = `killed-${randomBytes(4).toString('hex')}`;
      const leader = await openStore(fixture.url, { cluster, pollIntervalMs: 50 });
      opened.push(leader);
      const session = await leader.openSession({ nodeId: 'l', info: {}, timing: SQL_TEST_TIMING });
      const leadership = await session.campaign('leader', {});
      let fired = 0;
      const watches = new AbortController();
      leader.kv.watch('w/', () => fired++, { signal: watches.signal });

      const killed = await killers[c.name]?.(fixture);
      assert.ok((killed ?? 0) > 0, 'no connection was killed');

      // Renewals reconnect; the leadership survives (its renew deadline is 2 s).
      let renewed = 0;
      const other = await openStore(fixture.url, { cluster, pollIntervalMs: 50 });
      opened.push(other);
      const before = (await other.leader('leader'))?.term;
      await waitFor('the member row to be renewed again', async () => {
        const { rows } = await (fixture as SqlFixture).run('SELECT renewed_at FROM baton_member WHERE cluster = ?', [cluster]);
        const at = Number(rows[0]?.['renewed_at']);
        if (renewed === 0) renewed = at;
        return at > renewed;
      });
      assert.equal(leadership.signal.aborted, false, `the leadership ended: ${String(leadership.signal.reason)}`);
      assert.equal((await other.leader('leader'))?.term, before);

      const start = fired;
      await other.kv.put('w/x', 1);
      await waitFor('the watch to fire after the kill', () => fired > start);
      await other.kv.put('fenced', 1, { fence: leadership.fence });
      watches.abort();
    });
  });
}
