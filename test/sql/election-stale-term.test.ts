/**
 * Issue 10, case 3 on PostgreSQL: the elector's `acquired` listeners (and HandoffSlots'
 * `acquired`, behind buckets and partitions) are never called with a term that has already
 * ended, and such a term gets no `released` either. The pause between sending the take and
 * reading its answer is made on the real server:
 * - the take's answer is delayed past renewDeadlineMs (a foreign transaction holds the lease
 *   row, so the take waits at the server while the session keeps renewing on other
 *   connections): a lease lives as long as its session (issue 12), so that term is live and is
 *   announced, held;
 * - or the answer reaches the elector only after the term ended (held back between the backend
 *   and the elector while the row is changed behind the holder's back, which the session's
 *   reconciliation reads): the elector's own `held()` check right before the call is what
 *   stops it.
 * The monotonic clock is a FakeClock, moved one renew period at a time and only once the session
 * has renewed, so the session stays live.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import pg from 'pg';
import type { SessionTiming } from '../../src/contract/index.js';
import { openPostgresBackend } from '../../src/backends/sql/postgres/index.js';
import type { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { CLUSTER_LEADER_ELECTION, LeaderElector } from '../../src/election/index.js';
import { HandoffSlots } from '../../src/owned-items/handoff-slots.js';
import type { ReleaseReason } from '../../src/holding/index.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import { slowCampaigns } from '../support/slow-campaigns.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { oneSession } from '../support/one-session.js';
import { numberedItems } from '../support/numbered-items.js';

const TIMING: SessionTiming = { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const LOCK_LEASE_ROW = `SELECT term FROM baton_lease WHERE cluster = 'c' AND name = '${CLUSTER_LEADER_ELECTION}' FOR UPDATE`;
/** Another holder and a higher term written behind the holder's back (what the contract's disturbLeader does). */
const disturbLeaseRow = (election: string) => `UPDATE baton_lease SET holder = 'intruder', term = term + 1, version = version + 1 WHERE cluster = 'c' AND name = '${election}'`;

interface Started {
  readonly term: number;
  readonly held: boolean;
  readonly aborted: boolean;
}

describe('LeaderElector and HandoffSlots on PostgreSQL: never start a term that has already ended', () => {
  let fixture: SqlFixture | undefined;
  let backend: SqlBackend | undefined;
  let elector: LeaderElector | undefined;
  let slots: HandoffSlots<number> | undefined;
  let raw: pg.Client | undefined;
  afterEach(async () => {
    await raw?.end().catch(() => undefined);
    await elector?.close();
    await slots?.close();
    await backend?.close().catch(() => undefined);
    await fixture?.teardown();
    raw = elector = slots = backend = fixture = undefined;
  });

  /** A backend on a FakeClock whose session counts its successful renewals. */
  async function open(clock: FakeClock) {
    fixture = await createPostgresFixture();
    backend = await openPostgresBackend(fixture.url, { cluster: 'c', clock, pollIntervalMs: TIMING.pollIntervalMs });
    const renewals = { ok: 0 };
    const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING, onRenewal: (_ms, ok) => void (ok && renewals.ok++) });
    raw = new pg.Client({ connectionString: fixture.url });
    raw.on('error', () => undefined);
    await raw.connect();
    return { session, renewals, raw };
  }

  /** One renew period on the clock, then waits for the session's renewal of it (so it stays live). */
  async function step(clock: FakeClock, renewals: { ok: number }): Promise<void> {
    const seen = renewals.ok;
    await clock.advance(TIMING.retryPeriodMs);
    await waitFor('a session renewal', () => renewals.ok > seen);
  }

  /** Moves the clock `ms` on, one renew period at a time. */
  async function passWhileSessionRenews(clock: FakeClock, renewals: { ok: number }, ms: number): Promise<void> {
    const until = clock.now() + ms;
    while (clock.now() < until) await step(clock, renewals);
  }

  /**
   * Steps the clock until `done` holds. The store's expiry runs on the database's clock (real
   * time), so a term left to expire frees the row only ttlMs of real time after its last renewal.
   */
  async function stepUntil(what: string, clock: FakeClock, renewals: { ok: number }, done: () => boolean): Promise<void> {
    await waitFor(what, async () => done() || (await step(clock, renewals), done()), { timeoutMs: 30_000, intervalMs: 1 });
  }

  function recordingElector(clock: FakeClock, session: Parameters<typeof slowCampaigns>[0], started: Started[], stopped: { count: number }): LeaderElector {
    const recording = new LeaderElector({ backend: backend!, sessions: oneSession(session), clock });
    recording.on('acquired', (held) => void started.push({ term: held.token, held: recording.leadership()?.held() ?? false, aborted: held.signal.aborted }));
    recording.on('released', () => void stopped.count++);
    return recording;
  }

  it('a take whose answer the server delays past renewDeadlineMs, while the session renews, is a live term: announced, held', async () => {
    const clock = new FakeClock();
    const { session, renewals, raw } = await open(clock);
    await (await session.campaign(CLUSTER_LEADER_ELECTION, {})).resign(); // the row exists, free, at term 1
    await raw.query('BEGIN');
    const { rows } = await raw.query(LOCK_LEASE_ROW);
    const delayedTerm = Number(rows[0]?.term) + 1; // what the delayed take hands out
    const started: Started[] = [];
    const stopped = { count: 0 };
    elector = recordingElector(clock, session, started, stopped);
    elector.start();
    await waitFor('the take to wait for the row lock', async () => {
      const { rows: waiting } = await fixture!.run("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      return Number(waiting[0]?.['n']) > 0;
    });
    // The take was sent at the clock's current time; its answer comes after renewDeadlineMs.
    // The session renewed all along, and the lease lives with the session: the term is live.
    await passWhileSessionRenews(clock, renewals, TIMING.renewDeadlineMs + TIMING.retryPeriodMs);
    assert.equal(started.length, 0, JSON.stringify(started));
    await raw.query('COMMIT');
    await stepUntil('the elector to lead', clock, renewals, () => started.length > 0);
    assert.deepEqual(started, [{ term: delayedTerm, held: true, aborted: false }]);
    assert.equal(stopped.count, 0, 'no released for a term still held');
    assert.equal(elector.isLeader(), true);
    assert.equal(session.state, 'live');
  });

  it('an answer that reaches the elector after the term ended (taken over behind its back) is never announced', async () => {
    const clock = new FakeClock();
    const { session, renewals, raw } = await open(clock);
    const slow = slowCampaigns(session);
    const started: Started[] = [];
    const stopped = { count: 0 };
    elector = recordingElector(clock, slow.session, started, stopped);
    elector.start();
    await waitFor('the take to land (its answer held back)', () => slow.held === 1);
    const term = slow.last!;
    // The row changes hands behind the holder's back; the session's next reconciliation ends the term.
    await raw.query(disturbLeaseRow(CLUSTER_LEADER_ELECTION));
    await stepUntil('the term to end', clock, renewals, () => !term.held());
    slow.release();
    await clock.advance(0);
    assert.equal(started.length, 0, `acquired was called with a term that had already ended: ${JSON.stringify(started)}`);
    assert.equal(stopped.count, 0);
    // The elector campaigns again after retryPeriodMs and wins a fresh term at once: the
    // intruder has no live session.
    await stepUntil('the elector to lead again', clock, renewals, () => {
      slow.release();
      return started.length > 0;
    });
    assert.equal(started.length, 1);
    assert.ok(started[0]!.term > term.term && started[0]!.held && !started[0]!.aborted, JSON.stringify(started));
    assert.equal(stopped.count, 0);
    assert.equal(session.state, 'live');
  });

  it('HandoffSlots: an item won with a term that ended before the answer was read is never started (nor stopped)', async () => {
    const clock = new FakeClock();
    const { session, renewals, raw } = await open(clock);
    const slow = slowCampaigns(session);
    const started: Array<{ token: number; aborted: boolean }> = [];
    const stopped: Array<[number, ReleaseReason]> = [];
    slots = new HandoffSlots<number>({
      ...numberedItems(slow.session, clock),
      acquired: (_item, held) => void started.push({ token: held.token, aborted: held.signal.aborted }),
      released: (item, reason) => void stopped.push([item, reason]),
    });
    slots.want(new Set([1]));
    await waitFor('the take to land (its answer held back)', () => slow.held === 1);
    const term = slow.last!;
    await raw.query(disturbLeaseRow('item/1'));
    await stepUntil('the term to end', clock, renewals, () => !term.held());
    slow.release();
    await clock.advance(0);
    assert.equal(started.length, 0, `acquired was called with a term that had already ended: ${JSON.stringify(started)}`);
    assert.deepEqual(slots.owned(), []);
    await stepUntil('the item to be won again', clock, renewals, () => {
      slow.release();
      return started.length > 0;
    });
    assert.equal(started.length, 1);
    assert.ok(started[0]!.token > term.term && !started[0]!.aborted, JSON.stringify(started));
    assert.deepEqual(slots.owned(), [1]);
    assert.deepEqual(stopped, [], 'an item never started is never stopped');
    assert.equal(session.state, 'live');
  });
});
