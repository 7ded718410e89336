/**
 * Issue 18, PostgreSQL: a campaign waiting for a lease someone else holds sleeps until it is
 * woken, instead of polling. A release NOTIFYs and hands the waiter the lease, which it takes
 * up with no statement of its own (more in postgres-handover.test.ts); a NOTIFY that never arrives is covered by the re-check at the holder's expiry on the DB clock,
 * and at the latest one retry period later. Each process's monotonic clock is a FakeClock (the
 * database and its clock are real), so every assertion is a count of statements or of clock
 * steps, never a time.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Leadership, SessionTiming } from '../../src/contract/index.js';
import { postgresDialect } from '../../src/backends/sql/postgres/dialect.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { flushMicrotasks } from '../../src/testing/fake-clock.js';
import { waitFor } from '../support/wait.js';
import { PostgresWaiters } from './postgres-waiters.js';

/** Long enough that no member row expires during a test while the fake clocks stand still. */
const WAITER: SessionTiming = { ttlMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 10_000, pollIntervalMs: 50 };
/** A holder that dies quickly on the DB clock (its renewals never run: its clock stands still). */
const SHORT_LIVED: SessionTiming = { ttlMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 400, pollIntervalMs: 50 };

describe('postgres: a waiting campaign is woken, it does not poll', () => {
  const db = new PostgresWaiters();
  afterEach(() => db.close());

  it('at rest it sends nothing for a whole retry period; a release hands it the lease and it leads on the NOTIFY without a statement', async () => {
    await db.start();
    const holder = await db.node('holder', WAITER);
    const waiter = await db.node('waiter', WAITER);
    const held = await holder.session.campaign('leader', {});
    await db.announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await db.parked(waiter);

    const atRest = waiter.connection.campaignStatements;
    await waiter.clock.advance(WAITER.retryPeriodMs - 1);
    assert.equal(waiter.connection.campaignStatements, atRest, `the waiter sent statements within one retry period (poll interval ${WAITER.pollIntervalMs} ms)`);
    assert.equal(won, undefined);

    await held.resign();
    await waitFor('the waiter to take over on the NOTIFY alone (its clock stands still)', () => won);
    assert.equal(waiter.connection.campaignStatements, atRest, 'the waiter sent a statement after the NOTIFY (the release hands it the lease)');
    assert.equal((await campaign).held(), true);
    assert.equal((await campaign).term, held.term + 1);
  });

  it("other elections' takes and releases wake neither the waiting campaign nor a KV watch (issue 12: one NOTIFY per item woke every waiter and watch)", async () => {
    await db.start();
    const holder = await db.node('holder', WAITER);
    const waiter = await db.node('waiter', WAITER);
    const held = await holder.session.campaign('leader', {});
    await db.announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await db.parked(waiter);
    waiter.backend.kv.watch('x/', () => undefined, { signal: new AbortController().signal });
    await waitFor('the KV watch to take its first reading', () => waiter.connection.kvWatchReads >= 1);
    // The renewal loop's pause, the session deadline's, the campaign's and the KV watch's.
    await waitFor('the KV watch to sleep', () => waiter.clock.pendingSleeps >= 4);
    await flushMicrotasks();

    const [campaignAtRest, watchAtRest] = [waiter.connection.campaignStatements, waiter.connection.kvWatchReads];
    const topics: (string | undefined)[] = [];
    const unsubscribe = waiter.connection.onAnnounce('c', (topic) => topics.push(topic));
    for (let i = 0; i < 5; i++) await (await holder.session.campaign(`item-${i}`, {})).resign();
    await waitFor("the other elections' ten announcements to reach the waiter", () => topics.length >= 10);
    unsubscribe();
    await flushMicrotasks();
    assert.equal(waiter.connection.campaignStatements, campaignAtRest, "the waiting campaign looked again on another election's announcement");
    assert.equal(waiter.connection.kvWatchReads, watchAtRest, 'the KV watch read again on a lease announcement');
    assert.equal(won, undefined);
    assert.deepEqual(topics.slice(0, 2), ['item-0', 'item-0'], 'a take and a release announce their election');

    await held.resign();
    await waitFor('the waiter to take over on its own election\'s NOTIFY (its clock stands still)', () => won);
    assert.equal(waiter.connection.campaignStatements, campaignAtRest, 'the waiter sent a statement after the NOTIFY (the release hands it the lease)');
    assert.equal((await campaign).held(), true);
  });

  it('a release whose NOTIFY is lost is taken at the re-check, one retry period after the last look', async () => {
    await db.start();
    const holder = await db.node('holder', WAITER);
    const waiter = await db.node('waiter', WAITER);
    await holder.session.campaign('leader', {});
    await db.announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await db.parked(waiter);

    await db.releaseSilently('leader');
    const beforeRecheck = waiter.connection.campaignStatements;
    await waiter.clock.advance(WAITER.retryPeriodMs - 1);
    assert.equal(waiter.connection.campaignStatements, beforeRecheck, 'the waiter looked before its re-check: something else woke it');
    assert.equal(won, undefined);
    await waiter.clock.advance(1);
    await waitFor('the waiter to take the lease at its re-check', () => won);
    assert.equal((await campaign).held(), true);
  });

  it('while its LISTEN connection is down it polls: a silent release is taken within one poll interval', async () => {
    await db.start();
    const holder = await db.node('holder', WAITER);
    const waiter = await db.node('waiter', WAITER);
    await holder.session.campaign('leader', {});
    await db.announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await db.parked(waiter);

    // The server ends every LISTEN connection of baton's channel (the fixture's own is on another).
    await db.fixture.run(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = ?`, [`LISTEN "${tableNames().prefix}changes"`]);
    await waitFor('the waiter to see its LISTEN connection gone', () => !waiter.connection.announcing);
    await waitFor('the waiting campaign to sleep again', () => waiter.clock.pendingSleeps >= 3);
    await db.releaseSilently('leader');
    await waiter.clock.advance(WAITER.pollIntervalMs);
    await waitFor('the waiter to take the lease at its next poll', () => won);
    assert.equal((await campaign).held(), true);
  });

  it('a holder that stops renewing is taken at its expiry on the DB clock, not one retry period later', async () => {
    await db.start();
    const holder = await db.node('holder', SHORT_LIVED);
    const waiter = await db.node('waiter', WAITER);
    await holder.session.campaign('leader', {});
    await db.announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await db.parked(waiter);

    // The holder's member row expires on the DB clock (its own clock never lets it renew); no NOTIFY says so.
    await waitFor(
      "the holder's member row to expire on the DB clock",
      async () => (await db.fixture.run(`SELECT 1 FROM ${tableNames().member} WHERE cluster = 'c' AND node_id = 'holder' AND expires_at <= ${postgresDialect.nowMs}`)).rows.length === 1,
    );
    await waiter.clock.advance(SHORT_LIVED.ttlMs);
    await waitFor('the waiter to take the expired lease', () => won);
    assert.equal((await campaign).held(), true);
    assert.ok(waiter.clock.now() < WAITER.retryPeriodMs, 'the waiter needed its retry period to notice the expiry');
  });
});
