/**
 * Issue 12, cold start at scale on SQL: what one campaign costs the store, counted through the
 * connection (counts, never times).
 * - With RETURNING (SQLite, PostgreSQL) the first election ever of a name and the take of a
 *   released one are ONE statement each (insert-or-take); before, a first election was three
 *   (a take that matched nothing, a look, the insert).
 * - A node runs at most CAMPAIGN_ATTEMPTS_AT_ONCE campaign attempts at once, whatever the
 *   number of campaigns, so its session's renewal never queues behind thousands of them.
 * - A campaign waiting while the holder lives sends one statement (a look) per poll period at
 *   most; it used to send a take and a look on an engine that polls (MySQL, SQLite): most of
 *   an idle MariaDB node's statements (issue 12, idle CPU). Each look follows a sleep of one
 *   poll period, so the count over a span of local time bounds it whatever the load.
 * - A campaign waiting beside a leader watch of its own election, on an engine that polls
 *   (a non-leader node: its watch of the cluster election and its campaign for it), sends
 *   nothing of its own while the holder lives: the watch's poll reads that row every poll
 *   period and wakes the campaign when it changes. It used to look about twice a second too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import type { SessionTiming } from '../../src/contract/index.js';
import type { SqlParam, SqlResult, WriteOptions } from '../../src/backends/sql/dialect.js';
import { CAMPAIGN_ATTEMPTS_AT_ONCE } from '../../src/backends/sql/sql-campaign.js';
import { backendsThrough } from '../support/sql-backends-through.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { SQL_DIALECTS } from './dialects.js';
import { WatchedConnection } from './watched-connection.js';

const TIMING: SessionTiming = { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
/** A retry period far longer than the test, so that a campaign's own re-check never comes in it. */
const LONG_RETRY: SessionTiming = { ttlMs: 120_000, renewDeadlineMs: 80_000, retryPeriodMs: 40_000, pollIntervalMs: 50 };

/** A statement a campaign attempt sends: a take, an insert, a look at the holder, a reap. */
const isCampaignStatement = (sql: string) => /holder_expired|SET holder = \?|INSERT INTO \S*lease|DELETE FROM \S*member\S* WHERE cluster = \? AND session/.test(sql);

/** A leader watch's read of the lease row (statements.ts leaseState). */
const isLeaseStateRead = (sql: string) => / AS session_expires_at, CASE WHEN /.test(sql);

/**
 * Counts campaign statements, and how many of them were under way at once at most; and the
 * leader watches' reads of a lease row.
 */
class CampaignCounter extends WatchedConnection {
  campaignStatements = 0;
  leaseStateReads = 0;
  #inFlight = 0;
  mostInFlight = 0;

  override run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    return this.#count(sql, () => super.run(sql, params));
  }

  override runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string, options?: WriteOptions): Promise<SqlResult> {
    return this.#count(sql, () => super.runAndAnnounce(sql, params, cluster, options));
  }

  async #count(sql: string, statement: () => Promise<SqlResult>): Promise<SqlResult> {
    if (isLeaseStateRead(sql)) this.leaseStateReads++;
    if (!isCampaignStatement(sql)) return statement();
    this.campaignStatements++;
    this.mostInFlight = Math.max(this.mostInFlight, ++this.#inFlight);
    try {
      return await statement();
    } finally {
      this.#inFlight--;
    }
  }
}

for (const dialect of SQL_DIALECTS) {
  describe(`${dialect.name}: what a campaign costs the store`, () => {
    const open = backendsThrough(dialect.createFixture, TIMING.pollIntervalMs, (connection) => new CampaignCounter(connection));

    if (dialect.name !== 'mysql') {
      it('the first election ever of a name, and the take of a released one, are one statement each', async () => {
        const { backend, connection } = await open('first');
        const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
        const before = connection.campaignStatements;
        const first = await session.campaign('item/1', {});
        assert.equal(connection.campaignStatements - before, 1, 'statements for the first election of a name');
        assert.equal(first.term, 1);
        await first.resign();
        const again = connection.campaignStatements;
        const second = await session.campaign('item/1', {});
        assert.equal(connection.campaignStatements - again, 1, 'statements to take a released lease');
        assert.equal(second.term, 2, 'a take is term + 1');
        await second.resign();
      });
    }

    it(`${CAMPAIGN_ATTEMPTS_AT_ONCE} campaign attempts at most are under way at once, with 40 campaigns started together`, async () => {
      const { backend, connection } = await open('many');
      const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
      const held = await Promise.all(Array.from({ length: 40 }, (_, i) => session.campaign(`item/${i}`, {})));
      assert.ok(held.every((l) => l.held()));
      assert.ok(connection.mostInFlight <= CAMPAIGN_ATTEMPTS_AT_ONCE, `${connection.mostInFlight} campaign statements were under way at once`);
      assert.ok(connection.mostInFlight >= 1);
      await Promise.all(held.map((l) => l.resign()));
    });

    it('a campaign waiting on a live holder sends at most one statement per poll period', async () => {
      const { backend: holderBackend } = await open('waiting');
      const holder = await holderBackend.openSession({ nodeId: 'holder', info: {}, timing: TIMING });
      const lease = await holder.campaign('item/w', {});
      const { backend, connection } = await open('waiting');
      const waiter = await backend.openSession({ nodeId: 'waiter', info: {}, timing: TIMING });
      const stop = new AbortController();
      const waiting = waiter.campaign('item/w', {}, { signal: stop.signal }).catch(() => undefined);
      await waitFor('the waiter looking', () => connection.campaignStatements >= 2);
      const from = connection.campaignStatements;
      const startedAt = performance.now();
      const LOOKS = 20;
      await waitFor(`${LOOKS} more statements of the waiter`, () => connection.campaignStatements >= from + LOOKS, { timeoutMs: 200 * LOOKS * TIMING.pollIntervalMs });
      const periods = (performance.now() - startedAt) / TIMING.pollIntervalMs;
      const sent = connection.campaignStatements - from;
      assert.ok(sent <= periods + 2, `${sent} campaign statements in ${periods.toFixed(1)} poll periods`);
      assert.ok(lease.held(), 'the holder lost its lease to a waiter');
      stop.abort();
      await waiting;
      await lease.resign();
    });

    it('a campaign waiting beside a leader watch of its election leaves the looking to the watch, and is woken by it', async () => {
      const { backend: holderBackend } = await open('beside-watch');
      const holder = await holderBackend.openSession({ nodeId: 'holder', info: {}, timing: LONG_RETRY });
      const lease = await holder.campaign('item/b', {});
      const { backend, connection } = await open('beside-watch');
      const unwatch = new AbortController();
      backend.watchLeader('item/b', () => undefined, { signal: unwatch.signal });
      await waitFor('the leader watch reading the row twice', () => connection.leaseStateReads >= 2);
      // On PostgreSQL the waiter's own join is announced to the whole cluster; a campaign that
      // starts before that NOTIFY came back (late under load) is woken by it and looks once
      // more, which is not what this test counts: let it arrive first.
      let clusterAnnouncements = 0;
      const unlisten = connection.onAnnounce('beside-watch', (topic) => {
        if (topic === undefined) clusterAnnouncements++;
      });
      const waiter = await backend.openSession({ nodeId: 'waiter', info: {}, timing: LONG_RETRY });
      if (connection.announcing) await waitFor("the waiter's join announced", () => clusterAnnouncements >= 1);
      unlisten();
      const waiting = waiter.campaign('item/b', {});
      waiting.catch(() => undefined); // a failed assertion leaves it to the backend's close
      await waitFor('the waiter looking', () => connection.campaignStatements >= 2);
      const from = connection.campaignStatements;
      const readsFrom = connection.leaseStateReads;
      const READS = 20;
      await waitFor(`${READS} more reads of the leader watch`, () => connection.leaseStateReads >= readsFrom + READS, { timeoutMs: 200 * READS * LONG_RETRY.pollIntervalMs });
      const sent = connection.campaignStatements - from;
      assert.ok(sent <= 1, `${sent} campaign statements while the leader watch read the row ${connection.leaseStateReads - readsFrom} times`);
      assert.ok(lease.held(), 'the holder lost its lease to the waiter');
      const oldTerm = lease.term;
      await lease.resign();
      const taken = await withTimeout('the waiter to take the released lease', waiting, 10_000);
      assert.equal(taken.term, oldTerm + 1, 'the waiter took the next term');
      unwatch.abort();
      await taken.resign();
    });
  });
}
