/**
 * Issue 12 on every SQL engine (SQLite, PostgreSQL, MariaDB): a lease lives as long as its
 * holder's session (its member row), as a ZooKeeper ephemeral does.
 * - A vanished holder's item leases are taken only after its member row expired on the
 *   database clock, and meanwhile its fenced writes are refused although the lease rows still
 *   name it.
 * - A session whose member-row renewals fail stops every lease it holds at the session's
 *   deadline, and releases none of them early.
 * - Resign and close release at once: a waiting successor takes over long before any expiry.
 * - A release that fails would leave a row held by a live session forever: the session's
 *   reconciliation releases it at its next renewal.
 * - The reconciliation ends a term whose row was changed behind its back, and never one won
 *   while it reads the session's rows.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Backend, Leadership, SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { isBatonError, type LeadershipEndedError } from '../../src/errors.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor, waitForAbort, withTimeout } from '../support/wait.js';
import { SQL_DIALECTS } from './dialects.js';
import { isLeaseRelease, isMemberRenewal, isSessionLeasesRead, openWatched } from './watched-connection.js';

const TIMING: SessionTiming = { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const ITEMS = ['item/1', 'item/2', 'item/3'];

const endReason = (leadership: Leadership) => (leadership.signal.reason as LeadershipEndedError).reason;

for (const dialect of SQL_DIALECTS) {
  describe(`${dialect.name}: leases live as long as their holder's session`, () => {
    let fixture: SqlFixture | undefined;
    const backends: Backend[] = [];
    /** Each test works in a cluster of its own. */
    let cluster = '';
    let clusters = 0;
    before(async () => {
      fixture = await dialect.createFixture();
    });
    afterEach(async () => {
      await Promise.allSettled(backends.splice(0).map((b) => b.close()));
    });
    after(async () => {
      await fixture?.teardown();
    });

    async function open(): Promise<Backend> {
      const backend = await openStore(fixture!.url, { cluster, pollIntervalMs: TIMING.pollIntervalMs });
      backends.push(backend);
      return backend;
    }

    /** A holder whose every statement can be made to fail, holding ITEMS. */
    async function holder() {
      cluster = `c${++clusters}`;
      const { backend, connection } = await openWatched(fixture!, cluster, TIMING.pollIntervalMs);
      backends.push(backend);
      const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
      const leaderships = await Promise.all(ITEMS.map((item) => session.campaign(item, {})));
      return { session, connection, leaderships };
    }

    /** A's member row, read raw: its expiry on the DB clock and whether that has passed. */
    async function memberRow(sessionId: string) {
      const now = { sqlite: "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)", postgres: '(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000))::BIGINT', mysql: 'CAST(FLOOR(UNIX_TIMESTAMP(SYSDATE(3)) * 1000) AS SIGNED)' }[fixture!.dialect];
      const { rows } = await fixture!.run(`SELECT expires_at, CASE WHEN expires_at <= ${now} THEN 1 ELSE 0 END AS expired FROM baton_member WHERE cluster = ? AND session = ?`, [cluster, sessionId]);
      const row = rows[0];
      return row === undefined ? undefined : { expiresAt: Number(row['expires_at']), expired: Number(row['expired']) === 1 };
    }

    const holders = async () => (await fixture!.run('SELECT name, holder FROM baton_lease WHERE cluster = ? ORDER BY name', [cluster])).rows.map((r) => [String(r['name']), String(r['holder'])]);

    it("a vanished holder's item leases: its fenced writes are refused once its member row expired though the rows still name it; a successor takes them only after that expiry", async () => {
      const { session, connection, leaderships } = await holder();
      const other = await open();
      const fence = leaderships[0]!.fence;
      assert.ok((await other.kv.put('doc', 'by a', { fence })) > 0, 'a fenced write of a live term landed');

      connection.fail(() => true); // A vanishes: nothing it sends reaches the store
      await waitForAbort("A's session to be lost", session.lost, 2 * TIMING.ttlMs);
      for (const l of leaderships) assert.equal(endReason(l), 'session-lost');
      const member = await memberRow(session.id);
      assert.ok(member !== undefined, "A's member row was deleted before it expired");
      assert.deepEqual(await holders(), ITEMS.map((item) => [item, session.id]), 'a lease was released early');

      await waitFor("A's member row to expire on the database clock", async () => (await memberRow(session.id))?.expired, { timeoutMs: 3 * TIMING.ttlMs });
      assert.deepEqual(await holders(), ITEMS.map((item) => [item, session.id]));
      await assert.rejects(other.kv.put('doc', 'by a, late', { fence }), (e: unknown) => isBatonError(e, 'FENCED'));
      await assert.rejects(other.kv.put('new-doc', 'by a, late', { fence }), (e: unknown) => isBatonError(e, 'FENCED'));
      assert.equal((await other.kv.get('doc'))?.value, 'by a');
      assert.equal(await other.kv.get('new-doc'), null);

      const b = await other.openSession({ nodeId: 'b', info: {}, timing: TIMING });
      const taken = await withTimeout('B to take every item', Promise.all(ITEMS.map((item) => b.campaign(item, {}))), 3 * TIMING.ttlMs);
      for (const [i, item] of ITEMS.entries()) {
        const record = await other.leader(item);
        assert.equal(record?.sessionId, b.id);
        assert.ok(record.since >= member.expiresAt, `B took ${item} at DB time ${record.since}, before A's session expired at ${member.expiresAt}`);
        assert.ok(taken[i]!.term > leaderships[i]!.term);
      }
      assert.ok((await other.kv.put('doc', 'by b', { fence: taken[0]!.fence })) > 0);
    });

    it("member-row renewals failing: every lease of the session ends with it at the session's deadline, none released early", async () => {
      const { session, connection, leaderships } = await holder();
      const other = await open();
      const b = await other.openSession({ nodeId: 'b', info: {}, timing: TIMING });
      let startedB = 0;
      const campaignsB = ITEMS.map((item) => b.campaign(item, {}).then((l) => (startedB++, l)));
      const endedWithSession: boolean[] = [];
      session.lost.addEventListener('abort', () => endedWithSession.push(...leaderships.map((l) => l.signal.aborted)), { once: true });

      connection.fail(isMemberRenewal); // everything else (fenced writes, reads) still gets through
      await waitForAbort("A's session to be lost", session.lost, 2 * TIMING.ttlMs);
      assert.deepEqual(endedWithSession, ITEMS.map(() => true), 'a term outlived the session');
      for (const l of leaderships) assert.equal(endReason(l), 'session-lost');
      assert.equal(startedB, 0, 'B took an item while A still acted for it');
      assert.deepEqual(await holders(), ITEMS.map((item) => [item, session.id]), 'a lease was released early');
      assert.ok((await memberRow(session.id)) !== undefined, "A's member row was deleted before it expired");

      const taken = await withTimeout('B to take every item', Promise.all(campaignsB), 3 * TIMING.ttlMs);
      assert.ok(taken.every((l, i) => l.term > leaderships[i]!.term));
    });

    for (const how of ['resign', 'close'] as const) {
      it(`${how}: released at once, a waiting successor takes over long before any expiry`, async () => {
        const { session, leaderships } = await holder();
        const other = await open();
        const b = await other.openSession({ nodeId: 'b', info: {}, timing: TIMING });
        const campaignsB = ITEMS.map((item) => b.campaign(item, {}));
        if (how === 'resign') await Promise.all(leaderships.map((l) => l.resign()));
        else await session.close();
        // Waiting campaigns poll every pollIntervalMs (PostgreSQL wakes them at once); expiry
        // would take ttlMs from A's last renewal, which went on (resign) or was one period ago.
        const taken = await withTimeout(`B to take every item after ${how}`, Promise.all(campaignsB), TIMING.ttlMs - TIMING.retryPeriodMs);
        assert.ok(taken.every((l, i) => l.term > leaderships[i]!.term));
        for (const l of leaderships) assert.equal(endReason(l), how === 'resign' ? 'resigned' : 'closed');
        if (how === 'resign') assert.equal(session.state, 'live');
      });
    }

    it('resigns whose releases fail: the live session releases the rows at its next reconciliation, and a waiting successor takes over', async () => {
      const { session, connection, leaderships } = await holder();
      const other = await open();
      const b = await other.openSession({ nodeId: 'b', info: {}, timing: TIMING });
      const campaignsB = ITEMS.map((item) => b.campaign(item, {}));
      connection.fail(isLeaseRelease);
      const resigned = await Promise.allSettled(leaderships.map((l) => l.resign()));
      assert.deepEqual(resigned.map((r) => r.status), ITEMS.map(() => 'rejected'), 'a release got through');
      for (const l of leaderships) assert.equal(endReason(l), 'resigned');
      assert.deepEqual(await holders(), ITEMS.map((item) => [item, session.id]));
      connection.fail(() => false);
      // A's session lives on and would keep the rows forever; its reconciliation releases them.
      const taken = await withTimeout('B to take every item', Promise.all(campaignsB), 3 * TIMING.ttlMs);
      assert.ok(taken.every((l, i) => l.term > leaderships[i]!.term));
      assert.equal(session.state, 'live');
    });

    it("reconciliation: a row changed behind the session's back ends its term as taken over; a term won while the session's rows are read is kept", async () => {
      const { session, connection, leaderships } = await holder();
      const rowsRead = connection.hold(isSessionLeasesRead);
      // Item 1's row gets a term A does not hold: the next digest differs, and the rows are read.
      await fixture!.run('UPDATE baton_lease SET term = term + 1 WHERE cluster = ? AND name = ?', [cluster, ITEMS[0]!]);
      await withTimeout("the answer to A's reconciliation's read of its rows", rowsRead.arrived, TIMING.ttlMs);
      const wonMeanwhile = await session.campaign('item/4', {});
      rowsRead.release();
      await waitForAbort("item 1's term to end", leaderships[0]!.signal, TIMING.ttlMs);
      assert.equal(endReason(leaderships[0]!), 'taken-over');
      // Judged in the same pass as item 1: had the rows read decided it, it would have ended too.
      assert.equal(wonMeanwhile.signal.aborted, false, 'a term won during the read was ended as taken over');
      assert.equal(leaderships[1]!.signal.aborted || leaderships[2]!.signal.aborted, false);
      // Item 1's row names A with a term nobody holds: released, by holder and term.
      await waitFor("item 1's row to be released", async () => (await holders()).every(([name, holder]) => name !== ITEMS[0] || holder === 'null'), { timeoutMs: TIMING.ttlMs });
      assert.deepEqual(await holders(), [[ITEMS[0], 'null'], ...[...ITEMS.slice(1), 'item/4'].map((item) => [item, session.id])]);
      assert.equal(wonMeanwhile.signal.aborted, false);
    });
  });
}
