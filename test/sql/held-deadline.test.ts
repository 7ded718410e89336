/**
 * Issue 10 cases 3-4, SQL, with the monotonic clock under the test's control (a real database
 * underneath): every answer about holding is judged on the clock at the moment it is asked,
 * and campaign() never resolves with a term whose local deadline has already passed.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import pg from 'pg';
import type { Leadership, SessionTiming } from '../../src/contract/index.js';
import type { Clock } from '../../src/clock.js';
import { LeadershipEndedError } from '../../src/errors.js';
import { openPostgresBackend } from '../../src/backends/sql/postgres/index.js';
import type { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { openSqliteBackend } from '../../src/backends/sql/sqlite/index.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { waitFor, withTimeout } from '../support/wait.js';

const TIMING: SessionTiming = { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };

/**
 * A FakeClock that can also skip ahead WITHOUT waking anyone: what a process resumed after a
 * freeze sees (the clock moved on, no timer has run yet).
 */
class ResumableClock implements Clock {
  readonly base = new FakeClock();
  #skipped = 0;
  now(): number {
    return this.base.now() + this.#skipped;
  }
  sleep(ms: number, options?: { signal?: AbortSignal }): Promise<void> {
    return this.base.sleep(ms, options);
  }
  skip(ms: number): void {
    this.#skipped += ms;
  }
}

describe('SQL: answers about holding are judged on the monotonic clock when asked', () => {
  let fixture: SqlFixture | undefined;
  let backend: SqlBackend | undefined;
  let raw: pg.Client | undefined;
  afterEach(async () => {
    await raw?.end().catch(() => undefined);
    await backend?.close().catch(() => undefined);
    await fixture?.teardown();
    raw = backend = fixture = undefined;
  });

  for (const kept of ['signal', 'session.lost'] as const) {
    it(`sqlite: past the deadline, before any timer ran, a ${kept} kept from before reads as aborted first`, async () => {
      fixture = await createSqliteFixture();
      const clock = new ResumableClock();
      backend = await openSqliteBackend(fixture.database, { cluster: 'c', clock, pollIntervalMs: TIMING.pollIntervalMs });
      const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
      const leadership = await session.campaign('leader', {});
      // What a holder keeps: `const { signal } = leadership`, or the session's lost signal.
      const signal = kept === 'signal' ? leadership.signal : session.lost;
      assert.equal(signal.aborted, false);
      clock.skip(TIMING.renewDeadlineMs);
      assert.equal(signal.aborted, true, `a kept ${kept} still said "not aborted" past the deadline`);
      assert.throws(() => signal.throwIfAborted());
      assert.equal(leadership.held(), false);
    });
  }

  for (const first of ['held()', 'signal', 'session.lost', 'session.state'] as const) {
    it(`sqlite: past the deadline, before any timer ran, ${first} read first ends the term and the session on the spot`, async () => {
      fixture = await createSqliteFixture();
      const clock = new ResumableClock();
      backend = await openSqliteBackend(fixture.database, { cluster: 'c', clock, pollIntervalMs: TIMING.pollIntervalMs });
      const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
      const leadership = await session.campaign('leader', {});
      assert.equal(leadership.held(), true);
      clock.skip(TIMING.renewDeadlineMs);
      const answer = { 'held()': () => leadership.held(), signal: () => !leadership.signal.aborted, 'session.lost': () => !session.lost.aborted, 'session.state': () => session.state === 'live' }[first]();
      assert.equal(answer, false, `${first} still said live/held past the deadline`);
      assert.equal(leadership.held(), false);
      assert.ok(leadership.signal.reason instanceof LeadershipEndedError);
      assert.equal(session.state, 'lost');
    });
  }

  for (const how of ['resign', 'close'] as const) {
    it(`sqlite: a ${how} past the deadline, before any timer ran, releases nothing (the rows expire on their own)`, async () => {
      fixture = await createSqliteFixture();
      const clock = new ResumableClock();
      backend = await openSqliteBackend(fixture.database, { cluster: 'c', clock, pollIntervalMs: TIMING.pollIntervalMs });
      const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
      const leadership = await session.campaign('leader', {});
      clock.skip(TIMING.renewDeadlineMs);
      if (how === 'resign') await leadership.resign();
      else await session.close();
      assert.notEqual((leadership.signal.reason as LeadershipEndedError).reason, how === 'resign' ? 'resigned' : 'closed');
      const [lease] = (await fixture.run("SELECT holder FROM baton_lease WHERE cluster = 'c' AND name = 'leader'")).rows;
      assert.equal(lease?.['holder'], session.id, 'the lease was released early');
      const members = (await fixture.run("SELECT node_id FROM baton_member WHERE cluster = 'c'")).rows;
      assert.equal(members.length, 1, 'the member row was deleted early');
    });
  }

  it('postgres: a take whose answer arrives after its deadline never comes out of campaign() as a held term', async () => {
    fixture = await createPostgresFixture();
    const clock = new FakeClock();
    backend = await openPostgresBackend(fixture.url, { cluster: 'c', clock, pollIntervalMs: TIMING.pollIntervalMs });
    let renewals = 0;
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING, onRenewal: (_ms, ok) => void (ok && renewals++) });
    await (await session.campaign('leader', {})).resign(); // the row exists, free
    const before = await backend.leader('leader');
    assert.equal(before, null);

    // A foreign transaction locks the free lease row: the next take waits for it.
    raw = new pg.Client({ connectionString: fixture.url });
    raw.on('error', () => undefined);
    await raw.connect();
    await raw.query('BEGIN');
    await raw.query("SELECT term FROM baton_lease WHERE cluster = 'c' AND name = 'leader' FOR UPDATE");
    let resolved: Leadership | undefined;
    let heldWhenResolved: boolean | undefined;
    const campaign = session.campaign('leader', {}).then((l) => {
      heldWhenResolved = l.held();
      return (resolved = l);
    });
    await waitFor('the take to wait for the row lock', async () => {
      const { rows } = await fixture!.run("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      return Number(rows[0]?.['n']) > 0;
    });

    // Time passes on the monotonic clock while the session keeps renewing (so only the take's
    // own deadline passes, not the session's).
    const until = clock.now() + TIMING.renewDeadlineMs + TIMING.retryPeriodMs;
    while (clock.now() < until) {
      const seen = renewals;
      await clock.advance(TIMING.retryPeriodMs);
      await waitFor('a session renewal', () => renewals > seen);
    }
    assert.equal(resolved, undefined);
    await raw.query('COMMIT');
    const leadership = await withTimeout('the campaign', campaign, 10_000);
    assert.equal(heldWhenResolved, true, `campaign resolved with term ${leadership.term}, already over`);
    assert.equal(session.state, 'live');
  });
});
