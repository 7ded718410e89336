/**
 * Issue 12, graceful leave at scale on SQL: releases ready at the same time share one statement
 * (release-batcher.ts) where the dialect has one for many elections (SQLite, PostgreSQL), and
 * each election in it keeps its own semantics:
 * - N leases resigned together cost O(1) release statements, not N;
 * - a statement that releases elections some of which another session took over releases only
 *   the ones this session still holds at its term (fenced by holder and term, row by row);
 * - on PostgreSQL, each election in one statement is handed to its own longest-waiting live
 *   waiter, at term + 1.
 * MariaDB releases one election per statement; the taken-over case runs there too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Leadership, Session, SessionTiming } from '../../src/contract/index.js';
import type { SqlParam, SqlResult, WriteOptions } from '../../src/backends/sql/dialect.js';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { SQL_DIALECTS } from './dialects.js';
import { ForwardingConnection } from './forwarding-connection.js';
import { openConnection } from './watched-connection.js';

/**
 * The first renewal, and so the first reconciliation of a session's leases with the store,
 * comes 10 s after it opened: no test here lasts that long, so a term changed behind a
 * session's back is still held in its eyes when it resigns it.
 */
const TIMING: SessionTiming = { ttlMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 10_000, pollIntervalMs: 50 };

/** A statement that releases lease rows (or hands them over): one election or many. */
const isRelease = (sql: string) => /SET holder = NULL|SET holder = next\.session/.test(sql);

/** Counts release statements. */
class ReleaseCounter extends ForwardingConnection {
  releases = 0;

  override run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    if (isRelease(sql)) this.releases++;
    return super.run(sql, params);
  }

  override runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string, options?: WriteOptions): Promise<SqlResult> {
    if (isRelease(sql)) this.releases++;
    return super.runAndAnnounce(sql, params, cluster, options);
  }
}

const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `item/${String(from + i).padStart(2, '0')}`);

for (const dialect of SQL_DIALECTS) {
  const batched = dialect.name !== 'mysql';
  describe(`${dialect.name}: releases ready together share a statement`, () => {
    let fixture: SqlFixture | undefined;
    const backends: SqlBackend[] = [];
    before(async () => {
      fixture = await dialect.createFixture();
    });
    after(async () => {
      for (const backend of backends) await backend.close().catch(() => undefined);
      await fixture?.teardown();
    });

    async function open(cluster: string, nodeId: string): Promise<{ backend: SqlBackend; connection: ReleaseCounter; session: Session }> {
      const connection = new ReleaseCounter(await openConnection(fixture!));
      const backend = await SqlBackend.open(fixture!.dialect, connection, { cluster, pollIntervalMs: TIMING.pollIntervalMs });
      backends.push(backend);
      const session = await backend.openSession({ nodeId, info: {}, timing: TIMING });
      return { backend, connection, session };
    }

    async function row(cluster: string, election: string): Promise<{ holder: string | null; term: number }> {
      const found = (await fixture!.run(`SELECT holder, term FROM ${tableNames().lease} WHERE cluster = ? AND name = ?`, [cluster, election])).rows[0];
      return { holder: (found?.['holder'] as string | null) ?? null, term: Number(found?.['term']) };
    }

    if (batched) {
      it('100 leases resigned together cost O(1) release statements, each one released', async () => {
        const { backend, connection, session } = await open('leave', 'a');
        const held = await Promise.all(names(0, 100).map((name) => session.campaign(name, {})));
        const before = connection.releases;
        await Promise.all(held.map((l) => l.resign()));
        assert.ok(connection.releases - before <= 2, `${connection.releases - before} release statements for 100 leases resigned together`);
        for (const name of names(0, 100)) assert.equal(await backend.leader(name), null, `${name} released`);
      });
    }

    it('a release of elections some of which another session took over releases only its own', async () => {
      const a = await open('over', 'a');
      const b = await open('over', 'b');
      const mine = await Promise.all(names(0, 10).map((name) => a.session.campaign(name, {})));
      // Another session takes five of them over behind a's back (a's reconciliation has not
      // run yet: it still counts them held), at the next term.
      for (const name of names(0, 5)) {
        const { changes } = await fixture!.run(`UPDATE ${tableNames().lease} SET holder = ?, holder_node = 'b', term = term + 1 WHERE cluster = 'over' AND name = ?`, [b.session.id, name]);
        assert.equal(changes, 1);
      }
      assert.ok(mine.every((l) => l.held()), 'a still counts every term held');
      const before = a.connection.releases;
      await Promise.all(mine.map((l) => l.resign()));
      if (batched) assert.equal(a.connection.releases - before, 1, 'one release statement for the ten');
      for (const [i, lease] of mine.entries()) {
        const stored = await row('over', lease.election);
        if (i < 5) assert.deepEqual(stored, { holder: b.session.id, term: lease.term + 1 }, `${lease.election} stays with the session that took it over`);
        else assert.deepEqual(stored, { holder: null, term: lease.term }, `${lease.election} released`);
      }
    });

    if (dialect.name === 'postgres') {
      it('one statement hands each election to its own longest-waiting live waiter', async () => {
        const holder = await open('queue', 'holder');
        const first = await open('queue', 'first');
        const second = await open('queue', 'second');
        const elections = names(0, 3);
        const held = await Promise.all(elections.map((name) => holder.session.campaign(name, {})));
        const queue = async (election: string) => {
          const { rows } = await fixture!.run(`SELECT session FROM ${tableNames().waiter} WHERE cluster = 'queue' AND name = ? ORDER BY since, session`, [election]);
          return rows.map((r) => String(r['session']));
        };
        const campaigns: Promise<Leadership>[] = [];
        /** `node` campaigns for `election` and resolves once it waits at the back of its queue. */
        const join = async (node: { session: Session }, election: string) => {
          const length = (await queue(election)).length;
          const campaign = node.session.campaign(election, {});
          campaign.catch(() => undefined); // a test that failed leaves it to the backend's close
          campaigns.push(campaign);
          await waitFor(`${election}'s queue to grow`, async () => (await queue(election)).length > length);
          const now = async () => Number((await fixture!.run('SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS bigint) AS now_ms')).rows[0]?.['now_ms']);
          const start = await now();
          await waitFor('the DB clock to move on', async () => (await now()) > start); // the next joins strictly later
        };
        // item/00 and item/01: first waits longest; item/02: second does.
        await join(first, 'item/00');
        await join(first, 'item/01');
        await join(second, 'item/02');
        await join(second, 'item/00');
        await join(second, 'item/01');
        await join(first, 'item/02');
        const before = holder.connection.releases;
        await Promise.all(held.map((l) => l.resign()));
        assert.equal(holder.connection.releases - before, 1, 'one statement for the three');
        const expected = [first, first, second];
        for (const [i, lease] of held.entries()) {
          assert.deepEqual(await row('queue', lease.election), { holder: expected[i]!.session.id, term: lease.term + 1 }, `${lease.election} handed to its longest waiter`);
        }
        const won = await Promise.all(campaigns.slice(0, 3));
        assert.deepEqual(won.map((l) => [l.election, l.term]), [['item/00', 2], ['item/01', 2], ['item/02', 2]]);
        assert.ok(won.every((l) => l.held()));
        await Promise.all(won.map((l) => l.resign()));
        await Promise.all(campaigns.slice(3));
      });
    }
  });
}
