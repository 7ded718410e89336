/**
 * Issue 18, PostgreSQL: a graceful release hands the lease to the longest-waiting waiter whose
 * session is alive on the DB clock, at term + 1, in its one statement, and the NOTIFY tells
 * the waiter, which leads without a statement of its own (src/backends/sql/waiters.ts;
 * docs/safety.md, "Handover to a waiter"). The waiters' monotonic clocks are FakeClocks that
 * stand still unless a test moves them, so a waiter that leads was handed the lease (it never
 * polled), and every assertion is a count of statements or a row in the store.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Leadership, SessionTiming } from '../../src/contract/index.js';
import { SessionLostError } from '../../src/errors.js';
import { postgresDialect } from '../../src/backends/sql/postgres/dialect.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { waitFor } from '../support/wait.js';
import { PostgresWaiters, type WaiterNode } from './postgres-waiters.js';

/** Long enough that no member row expires during a test while the fake clocks stand still. */
const WAITER: SessionTiming = { ttlMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 10_000, pollIntervalMs: 50 };
/** A waiter whose member row expires on the DB clock within 1.5 s (its clock stands still: it never renews). */
const SHORT_LIVED: SessionTiming = { ttlMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 400, pollIntervalMs: 50 };

describe('postgres: a release hands the lease to the longest-waiting live waiter', () => {
  const db = new PostgresWaiters();
  afterEach(() => db.close());

  /** Starts `waiter`'s campaign for `leader` and resolves once it waits in the queue; `won` is set when it leads. */
  async function wait(waiter: WaiterNode, options?: { signal?: AbortSignal }): Promise<{ readonly won: () => Leadership | undefined; readonly campaign: Promise<Leadership> }> {
    await db.announcementsDelivered(waiter);
    let won: Leadership | undefined;
    const campaign = waiter.session.campaign('leader', {}, options);
    campaign.then((l) => (won = l)).catch(() => undefined);
    await db.parked(waiter);
    await waitFor('the waiting campaign to join the queue', async () => (await db.queue('leader')).includes(waiter.session.id));
    const queue = await db.queue('leader');
    assert.ok(queue.includes(waiter.session.id), `the waiting campaign ${waiter.session.id} is not in the queue ${queue.join(', ')} (${waiter.connection.campaignStatements} campaign statements, ${waiter.clock.pendingSleeps} sleeps)`);
    return { won: () => won, campaign };
  }

  /** Until the DB clock has moved past now: the next waiter joins the queue strictly later. */
  async function dbClockTicks(): Promise<void> {
    const now = async () => Number((await db.fixture.run(`SELECT ${postgresDialect.nowMs} AS now_ms`)).rows[0]?.['now_ms']);
    const start = await now();
    await waitFor('the DB clock to move on', async () => (await now()) > start);
  }

  it('the first waiter leads at term + 1 with no statement of its own, the second after it, in queue order', async () => {
    await db.start();
    const holder = await db.node('holder', WAITER);
    const first = await db.node('first', WAITER);
    const second = await db.node('second', WAITER);
    const held = await holder.session.campaign('leader', {});
    const a = await wait(first);
    await dbClockTicks();
    const b = await wait(second);
    assert.deepEqual(await db.queue('leader'), [first.session.id, second.session.id]);
    const [firstAtRest, secondAtRest] = [first.connection.campaignStatements, second.connection.campaignStatements];

    await held.resign();
    const firstTerm = await waitFor('the first waiter to lead on the NOTIFY alone', () => a.won());
    assert.equal(first.connection.campaignStatements, firstAtRest, 'the first waiter sent a take or a look after the release');
    assert.equal(firstTerm.term, held.term + 1);
    assert.deepEqual(await db.lease('leader'), { holder: first.session.id, term: held.term + 1 });
    assert.equal(b.won(), undefined, 'the second waiter leads too');
    await waitFor('the first waiter to leave the queue', async () => (await db.queue('leader')).length === 1);

    // Woken by the handover to the first, the second looked (for the new holder's expiry), took nothing, and sleeps again.
    await db.parked(second, { before: secondAtRest, statements: 1 });
    const secondAtRestAgain = second.connection.campaignStatements;
    assert.equal(secondAtRestAgain, secondAtRest + 1, 'the second waiter tried a take after a handover to another');
    await firstTerm.resign();
    const secondTerm = await waitFor('the second waiter to lead on the NOTIFY alone', () => b.won());
    assert.equal(second.connection.campaignStatements, secondAtRestAgain, 'the second waiter sent a take or a look after the release');
    assert.equal(secondTerm.term, held.term + 2);
    assert.equal(firstTerm.held(), false);
  });

  it('an aborted waiter is never left holding the lease: released at once to the next waiter, also when the abort races the release', async () => {
    await db.start();
    const holder = await db.node('holder', WAITER);
    const aborted = await db.node('aborted', WAITER);
    const next = await db.node('next', WAITER);
    const held = await holder.session.campaign('leader', {});
    const stop = new AbortController();
    const a = await wait(aborted, { signal: stop.signal });
    await dbClockTicks();
    const b = await wait(next);

    // The abort and the release at once: the queue may or may not still hold the aborted waiter.
    stop.abort();
    await held.resign();
    await assert.rejects(a.campaign, { code: 'ABORTED' });
    const won = await waitFor('the next waiter to lead (its clock stands still: handed the lease)', () => b.won());
    assert.deepEqual(await db.lease('leader'), { holder: next.session.id, term: won.term });
    assert.ok(!(await db.queue('leader')).includes(aborted.session.id), 'the aborted waiter is still in the queue');
  });

  it('a waiter whose session expired on the DB clock is skipped', async () => {
    await db.start();
    const holder = await db.node('holder', WAITER);
    const expired = await db.node('expired', SHORT_LIVED);
    const live = await db.node('live', WAITER);
    const held = await holder.session.campaign('leader', {});
    await wait(expired);
    await dbClockTicks();
    const b = await wait(live);
    assert.deepEqual(await db.queue('leader'), [expired.session.id, live.session.id]);
    await waitFor(
      "the first waiter's member row to expire on the DB clock",
      async () => (await db.fixture.run(`SELECT 1 FROM ${tableNames().member} WHERE cluster = 'c' AND node_id = 'expired' AND expires_at <= ${postgresDialect.nowMs}`)).rows.length === 1,
    );

    await held.resign();
    const won = await waitFor('the live waiter to lead on the NOTIFY alone', () => b.won());
    assert.equal(won.term, held.term + 1, 'the expired waiter was handed a term first');
    assert.deepEqual(await db.lease('leader'), { holder: live.session.id, term: held.term + 1 });
  });

  it('a waiter that missed the NOTIFY finds itself holder at its next look and takes the row at term + 1', async () => {
    await db.start();
    const holder = await db.node('holder', WAITER);
    const waiter = await db.node('waiter', WAITER);
    const held = await holder.session.campaign('leader', {});
    const a = await wait(waiter);

    waiter.connection.deaf = true; // the handover's NOTIFY never reaches it (nor any later one)
    await held.resign();
    await waitFor('the release to hand the row to the waiter', async () => (await db.lease('leader')).holder === waiter.session.id);
    assert.equal(a.won(), undefined);
    await waiter.clock.advance(WAITER.retryPeriodMs); // its re-check
    const won = await waitFor('the waiter to lead after its re-check', () => a.won());
    assert.equal(won.term, held.term + 2, 'not the handed term, which it never heard of: a take of its own row');
    assert.deepEqual(await db.lease('leader'), { holder: waiter.session.id, term: held.term + 2 });
  });

  it('a waiter whose session is lost before the NOTIFY reaches it never leads; the lease goes on to the next waiter', async () => {
    await db.start();
    const holder = await db.node('holder', WAITER);
    const lost = await db.node('lost', WAITER);
    const next = await db.node('next', WAITER);
    const held = await holder.session.campaign('leader', {});
    const a = await wait(lost);
    await dbClockTicks();
    const b = await wait(next);

    lost.connection.deaf = true;
    // Its renewals fail (the session is lost at its deadline), and so do its looks and takes:
    // only the announcement could have told it of the handover, and it never arrives.
    lost.connection.fail((sql) => /UPDATE \S*member\S* SET expires_at|holder_expired|INSERT INTO \S*lease/.test(sql));
    await held.resign();
    await waitFor('the release to hand the row to the first waiter', async () => (await db.lease('leader')).holder === lost.session.id);
    await lost.clock.advance(WAITER.renewDeadlineMs);
    await assert.rejects(a.campaign, SessionLostError);
    assert.equal(a.won(), undefined);
    const won = await waitFor('the next waiter to lead (handed on by the lost waiter)', () => b.won());
    assert.equal(won.term, held.term + 2);
  });
});
