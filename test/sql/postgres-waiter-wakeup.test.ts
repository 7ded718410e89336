/**
 * Issue 18, PostgreSQL: a campaign waiting for a lease someone else holds sleeps until it is
 * woken, instead of polling. A release NOTIFYs and the waiter takes over in one statement; a
 * NOTIFY that never arrives is covered by the re-check at the holder's expiry on the DB clock,
 * and at the latest one retry period later. Each process's monotonic clock is a FakeClock (the
 * database and its clock are real), so every assertion is a count of statements or of clock
 * steps, never a time.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Leadership, Session, SessionTiming } from '../../src/contract/index.js';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { postgresDialect } from '../../src/backends/sql/postgres/dialect.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { FakeClock, flushMicrotasks } from '../../src/testing/fake-clock.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { openConnection, WatchedConnection } from './watched-connection.js';
import type { WriteOptions } from '../../src/backends/sql/dialect.js';

/** Long enough that no member row expires during a test while the fake clocks stand still. */
const WAITER: SessionTiming = { ttlMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 10_000, pollIntervalMs: 50 };
/** A holder that dies quickly on the DB clock (its renewals never run: its clock stands still). */
const SHORT_LIVED: SessionTiming = { ttlMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 400, pollIntervalMs: 50 };

/** A statement a campaign sends: a take, an insert, a look at the holder, a reap. */
const isCampaignStatement = (sql: string) => /holder_expired|SET holder = \?|INSERT INTO \S*lease|DELETE FROM \S*member\S* WHERE cluster = \? AND session/.test(sql);

/** A KV watch's reading (the versions under its prefix). */
const isKvWatchRead = (sql: string) => /AS k, version, updated_at/.test(sql);

class CountingConnection extends WatchedConnection {
  campaignStatements = 0;
  kvWatchReads = 0;
  override run(sql: string, params?: Parameters<WatchedConnection['run']>[1]) {
    if (isCampaignStatement(sql)) this.campaignStatements++;
    if (isKvWatchRead(sql)) this.kvWatchReads++;
    return super.run(sql, params);
  }
  override runAndAnnounce(sql: string, params: Parameters<WatchedConnection['runAndAnnounce']>[1], cluster: string, options?: WriteOptions) {
    if (isCampaignStatement(sql)) this.campaignStatements++;
    return super.runAndAnnounce(sql, params, cluster, options);
  }
}

interface Node {
  readonly backend: SqlBackend;
  readonly connection: CountingConnection;
  readonly clock: FakeClock;
  readonly session: Session;
}

describe('postgres: a waiting campaign is woken, it does not poll', () => {
  let fixture: SqlFixture | undefined;
  const nodes: Node[] = [];
  /** Markers announced so far (announcementsDelivered). */
  let markers = 0;
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.backend.close().catch(() => undefined);
    await fixture?.teardown();
    fixture = undefined;
  });

  async function node(nodeId: string, timing: SessionTiming): Promise<Node> {
    const connection = new CountingConnection(await openConnection(fixture!));
    const clock = new FakeClock();
    const backend = await SqlBackend.open('postgres', connection, { cluster: 'c', clock, pollIntervalMs: timing.pollIntervalMs });
    const session = await backend.openSession({ nodeId, info: {}, timing });
    const opened = { backend, connection, clock, session };
    nodes.push(opened);
    return opened;
  }

  /**
   * Resolves once every announcement made so far has reached `waiter` (they arrive in commit
   * order): one left in flight, such as the holder's take, would wake its campaign later. The
   * marker is announced for a topic nobody follows, so it wakes nobody itself, and only the
   * marker counts as seen: another announcement still in flight (the holder's take, or a
   * member insert's whole-cluster one) is not it, and a whole-cluster marker arriving after
   * the waiter parked would wake its campaign.
   */
  async function announcementsDelivered(waiter: Node): Promise<void> {
    const marker = `delivered-${++markers}`;
    let seen = false;
    const unsubscribe = waiter.connection.onAnnounce('c', (topic) => (seen ||= topic === marker));
    try {
      await fixture!.run('SELECT pg_notify(?, ?)', [`${tableNames().prefix}changes`, `c/${marker}`]);
      await waitFor('our own announcement to reach the waiter', () => seen);
    } finally {
      unsubscribe();
    }
  }

  /** Resolves once `waiter`'s campaign has looked at the live holder and gone to sleep. */
  async function parked(waiter: Node): Promise<void> {
    await waitFor('the waiting campaign to look at the holder', () => waiter.connection.campaignStatements >= 2);
    // The renewal loop's sleep and the campaign's.
    await waitFor('the waiting campaign to sleep', () => waiter.clock.pendingSleeps >= 2);
    await flushMicrotasks();
  }

  /** Raw UPDATE from another connection: the lease freed without any NOTIFY (one that got lost). */
  async function releaseSilently(election: string): Promise<void> {
    const { changes } = await fixture!.run(`UPDATE ${tableNames().lease} SET holder = NULL WHERE cluster = 'c' AND name = ?`, [election]);
    assert.equal(changes, 1);
  }

  it('at rest it sends nothing for a whole retry period; a release wakes it and it takes over with one statement', async () => {
    fixture = await createPostgresFixture();
    const holder = await node('holder', WAITER);
    const waiter = await node('waiter', WAITER);
    const held = await holder.session.campaign('leader', {});
    await announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await parked(waiter);

    const atRest = waiter.connection.campaignStatements;
    await waiter.clock.advance(WAITER.retryPeriodMs - 1);
    assert.equal(waiter.connection.campaignStatements, atRest, `the waiter sent statements within one retry period (poll interval ${WAITER.pollIntervalMs} ms)`);
    assert.equal(won, undefined);

    await held.resign();
    await waitFor('the waiter to take over on the NOTIFY alone (its clock stands still)', () => won);
    assert.equal(waiter.connection.campaignStatements, atRest + 1, 'more than the one take after the NOTIFY');
    assert.equal((await campaign).held(), true);
  });

  it("other elections' takes and releases wake neither the waiting campaign nor a KV watch (issue 12: one NOTIFY per item woke every waiter and watch)", async () => {
    fixture = await createPostgresFixture();
    const holder = await node('holder', WAITER);
    const waiter = await node('waiter', WAITER);
    const held = await holder.session.campaign('leader', {});
    await announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await parked(waiter);
    waiter.backend.kv.watch('x/', () => undefined, { signal: new AbortController().signal });
    await waitFor('the KV watch to take its first reading', () => waiter.connection.kvWatchReads >= 1);
    // The renewal loop's sleep, the campaign's and the KV watch's.
    await waitFor('the KV watch to sleep', () => waiter.clock.pendingSleeps >= 3);
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
    assert.equal(waiter.connection.campaignStatements, campaignAtRest + 1, 'more than the one take after the NOTIFY');
    assert.equal((await campaign).held(), true);
  });

  it('a release whose NOTIFY is lost is taken at the re-check, one retry period after the last look', async () => {
    fixture = await createPostgresFixture();
    const holder = await node('holder', WAITER);
    const waiter = await node('waiter', WAITER);
    await holder.session.campaign('leader', {});
    await announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await parked(waiter);

    await releaseSilently('leader');
    const beforeRecheck = waiter.connection.campaignStatements;
    await waiter.clock.advance(WAITER.retryPeriodMs - 1);
    assert.equal(waiter.connection.campaignStatements, beforeRecheck, 'the waiter looked before its re-check: something else woke it');
    assert.equal(won, undefined);
    await waiter.clock.advance(1);
    await waitFor('the waiter to take the lease at its re-check', () => won);
    assert.equal((await campaign).held(), true);
  });

  it('while its LISTEN connection is down it polls: a silent release is taken within one poll interval', async () => {
    fixture = await createPostgresFixture();
    const holder = await node('holder', WAITER);
    const waiter = await node('waiter', WAITER);
    await holder.session.campaign('leader', {});
    await announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await parked(waiter);

    // The server ends every LISTEN connection of baton's channel (the fixture's own is on another).
    await fixture.run(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = ?`, [`LISTEN "${tableNames().prefix}changes"`]);
    await waitFor('the waiter to see its LISTEN connection gone', () => !waiter.connection.announcing);
    await waitFor('the waiting campaign to sleep again', () => waiter.clock.pendingSleeps >= 2);
    await releaseSilently('leader');
    await waiter.clock.advance(WAITER.pollIntervalMs);
    await waitFor('the waiter to take the lease at its next poll', () => won);
    assert.equal((await campaign).held(), true);
  });

  it('a holder that stops renewing is taken at its expiry on the DB clock, not one retry period later', async () => {
    fixture = await createPostgresFixture();
    const holder = await node('holder', SHORT_LIVED);
    const waiter = await node('waiter', WAITER);
    await holder.session.campaign('leader', {});
    await announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}).then((l) => (won = l));
    await parked(waiter);

    // The holder's member row expires on the DB clock (its own clock never lets it renew); no NOTIFY says so.
    await waitFor(
      "the holder's member row to expire on the DB clock",
      async () => (await fixture!.run(`SELECT 1 FROM ${tableNames().member} WHERE cluster = 'c' AND node_id = 'holder' AND expires_at <= ${postgresDialect.nowMs}`)).rows.length === 1,
    );
    await waiter.clock.advance(SHORT_LIVED.ttlMs);
    await waitFor('the waiter to take the expired lease', () => won);
    assert.equal((await campaign).held(), true);
    assert.ok(waiter.clock.now() < WAITER.retryPeriodMs, 'the waiter needed its retry period to notice the expiry');
  });
});
