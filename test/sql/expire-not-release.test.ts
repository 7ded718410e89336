/**
 * Issue 10 case 2, SQL: a term that ends by its session's loss must leave its lease row (and
 * the session its member row) to expire on the database clock. That margin (ttlMs -
 * renewDeadlineMs) is what lets the old holder's stop callbacks finish before a successor
 * starts; releasing at once hands the role over while they still run.
 *
 * The renewals are stalled the way a busy database stalls them: a foreign transaction holds a
 * row lock (SELECT ... FOR UPDATE) on the member row, so renewals wait. The holder's stop
 * callback takes STOP_MS, well inside the margin. A lock on the lease row stalls nothing since
 * leases live with their session (issue 12): the term goes on.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Backend, Leadership, SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import type { LeadershipEndedError } from '../../src/errors.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor, waitForAbort, withTimeout } from '../support/wait.js';
import type { RowLock } from './row-locks.js';
import { LOCKING_ENGINES, waitForLockWaiters } from './row-locks.js';

/** A margin ttlMs - renewDeadlineMs of 4 s, for a stop callback of STOP_MS. */
const TIMING: SessionTiming = { ttlMs: 6_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
/**
 * How long the old holder's stop callback runs after its term ended, on the monotonic clock:
 * far longer than a successor needs once the row is released (a few ms), well inside the margin
 * (4 s) so that it must finish before the lease expires, even with timers late under load.
 */
const STOP_MS = 2_000;

interface SlowStop {
  /** When the term ended and the callback began, and when it finished (monotonic ms). */
  startedAt: number;
  finishedAt: number;
}

/** Runs a stop callback of STOP_MS when `leadership` ends. */
function slowStop(leadership: Leadership): SlowStop {
  const stop: SlowStop = { startedAt: Number.NaN, finishedAt: Number.NaN };
  leadership.signal.addEventListener(
    'abort',
    () => {
      stop.startedAt = performance.now();
      setTimeout(() => (stop.finishedAt = performance.now()), STOP_MS);
    },
    { once: true },
  );
  return stop;
}

/** The successor started only once the old holder's stop callback had finished. */
function assertNoOverlap(stop: SlowStop, successorStartedAt: number): void {
  assert.ok(
    stop.finishedAt <= successorStartedAt,
    `the successor started ${Math.round(successorStartedAt - stop.startedAt)} ms after the old term ended, while its stop callback (${STOP_MS} ms) still ran`,
  );
}

for (const engine of LOCKING_ENGINES) {
  describe(`${engine.name}: a term ended by its session's loss is left to expire`, () => {
    let fixture: SqlFixture | undefined;
    const backends: Backend[] = [];
    const locks: RowLock[] = [];
    afterEach(async () => {
      await Promise.allSettled(locks.splice(0).map((l) => l.release()));
      await Promise.allSettled(backends.splice(0).map((b) => b.close()));
      await fixture?.teardown();
      fixture = undefined;
    });

    /** A leads "leader" (with a slow stop callback); B campaigns and records when it starts. */
    async function contenders() {
      fixture = await engine.createFixture();
      const open = async () => {
        const backend = await openStore(fixture!.url, { cluster: 'c', pollIntervalMs: TIMING.pollIntervalMs });
        backends.push(backend);
        return backend;
      };
      const renewalsA = { ok: 0 };
      const a = await (await open()).openSession({ nodeId: 'a', info: {}, timing: TIMING, onRenewal: (_ms, ok) => void (ok && renewalsA.ok++) });
      const leadershipA = await a.campaign('leader', {});
      const stopA = slowStop(leadershipA);
      const b = await (await open()).openSession({ nodeId: 'b', info: {}, timing: TIMING });
      const started = { at: Number.NaN };
      const campaignB = b.campaign('leader', {}).then((l) => {
        started.at = performance.now();
        return l;
      });
      return { a, renewalsA, leadershipA, stopA, b, campaignB, started };
    }

    const endReason = (leadership: Leadership) => (leadership.signal.reason as LeadershipEndedError).reason;

    it('a lock on the lease row stalls no renewal: the term lives on with its session past renewDeadlineMs; a resign hands over', async () => {
      const { a, renewalsA, leadershipA, campaignB, started } = await contenders();
      locks.push(await engine.lockRows(fixture!, 'SELECT term FROM baton_lease WHERE cluster = ? AND name = ? FOR UPDATE', ['c', 'leader']));
      const seen = renewalsA.ok;
      // Renewals for longer than renewDeadlineMs: the member row's renewals go on; no lease is renewed on its own.
      await waitFor('A to renew for longer than renewDeadlineMs', () => renewalsA.ok > seen + TIMING.renewDeadlineMs / TIMING.retryPeriodMs + 1, { timeoutMs: 4 * TIMING.ttlMs });
      assert.equal(leadershipA.held(), true, `A's term ended: ${String((leadershipA.signal.reason as Error | undefined)?.message)}`);
      assert.equal(a.state, 'live');
      assert.ok(Number.isNaN(started.at), 'B led while A held the lease');
      await locks.pop()?.release();
      await leadershipA.resign();
      const leadershipB = await withTimeout('B to take over', campaignB, TIMING.ttlMs - TIMING.retryPeriodMs);
      assert.ok(leadershipB.term > leadershipA.term);
    });

    it("renewals of the session stalled by a lock on its member row: the session's loss releases neither row", async () => {
      const { a, leadershipA, stopA, campaignB, started, b } = await contenders();
      locks.push(await engine.lockRows(fixture!, 'SELECT session FROM baton_member WHERE cluster = ? AND node_id = ? FOR UPDATE', ['c', 'a']));
      await waitForAbort("A's term to end", leadershipA.signal, TIMING.ttlMs);
      assert.equal(endReason(leadershipA), 'session-lost');
      assert.equal(a.state, 'lost');
      await locks.pop()?.release();
      await waitForLockWaiters(engine, fixture!, 'the statements A sent meanwhile to run', (n) => n === 0);
      const members = await backends[1]!.members();
      assert.ok(members.some((m) => m.nodeId === 'a'), "A's member row was deleted before it expired");
      const leadershipB = await withTimeout('B to take over', campaignB, 3 * TIMING.ttlMs);
      assert.ok(leadershipB.term > leadershipA.term);
      assertNoOverlap(stopA, started.at);
      assert.equal(b.state, 'live');
    });
  });
}
