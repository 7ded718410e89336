import { getEventListeners, setMaxListeners } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Leadership } from '../../src/contract/index.js';
import { CorruptDocumentError, isBatonError, LeadershipEndedError, type LeadershipEndReason } from '../../src/errors.js';
import { waitFor, waitForAbort, withTimeout } from '../support/wait.js';
import { track, type ContractContext } from './contract-context.js';

const ELECTION = 'cluster-leader';

/** Elections: immediate first win, one leader, handover without expiry, terms that only grow. */
export function describeElectionContract(ctx: ContractContext): void {
  describe('election', () => {
    afterEach(() => ctx.closeAll());
    // Waits that must end before any lease could expire (the last renewal was at most one retry
    // period before the event): passing them proves the handover did not wait for expiry.
    const beforeExpiryMs = () => ctx.timing.ttlMs - ctx.timing.retryPeriodMs;

    it('the first campaign on an empty store wins at once; leader() describes it', async () => {
      const cluster = ctx.cluster();
      const observer = await ctx.open(cluster);
      assert.equal(await observer.leader(ELECTION), null);
      const { session } = await ctx.session(cluster, 'n1', { port: 8080 });
      const leadership = await withTimeout('the first campaign', session.campaign(ELECTION, { host: 'n1', port: 8080 }), beforeExpiryMs());
      assert.equal(leadership.election, ELECTION);
      assert.ok(leadership.term > 0, `term ${leadership.term}`);
      assert.deepEqual(leadership.fence, { election: ELECTION, term: leadership.term, sessionId: session.id });
      assert.equal(leadership.signal.aborted, false);
      const leader = await observer.leader(ELECTION);
      assert.ok(leader !== null);
      assert.deepEqual({ ...leader, since: 0 }, { election: ELECTION, nodeId: 'n1', sessionId: session.id, term: leadership.term, since: 0, info: { host: 'n1', port: 8080 } });
      assert.ok(Number.isFinite(leader.since) && leader.since > 0, `since ${leader.since}`);
      await leadership.resign();
      assert.ok(leadership.signal.aborted);
      await waitFor('no leader after resign', async () => (await observer.leader(ELECTION)) === null, { timeoutMs: beforeExpiryMs() });
    });

    it('10 sessions race: exactly one leads at a time, each new term higher than all before', async () => {
      const cluster = ctx.cluster();
      const observer = await ctx.open(cluster);
      const sessions = await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.session(cluster, `r${i}`)));
      const campaigns = sessions.map(({ session }) => track(session.campaign(ELECTION, { host: session.nodeId })));
      const seen: number[] = [];
      const done = new Set<number>();
      for (let round = 0; round < sessions.length; round++) {
        await waitFor(`winner ${round + 1}`, () => campaigns.some((c, i) => c.settled && !done.has(i)), { timeoutMs: beforeExpiryMs() });
        const winners = campaigns.map((c, i) => i).filter((i) => campaigns[i]?.settled && !done.has(i));
        assert.equal(winners.length, 1, `round ${round}: ${winners.length} campaigns resolved at once`);
        const index = winners[0] ?? -1;
        const leadership = campaigns[index]?.value as Leadership;
        assert.ok(leadership !== undefined, `campaign ${index} failed: ${String(campaigns[index]?.error)}`);
        assert.ok(seen.every((term) => leadership.term > term), `term ${leadership.term} after ${seen.join(',')}`);
        assert.equal((await observer.leader(ELECTION))?.sessionId, sessions[index]?.session.id);
        seen.push(leadership.term);
        done.add(index);
        await leadership.resign();
      }
      assert.equal(seen.length, 10);
    });

    it('watchLeader fires when the leader changes', async () => {
      const cluster = ctx.cluster();
      const observer = await ctx.open(cluster);
      const watch = new AbortController();
      let fired = 0;
      observer.watchLeader(ELECTION, () => fired++, { signal: watch.signal });
      try {
        const { session } = await ctx.session(cluster, 'n1');
        const leadership = await session.campaign(ELECTION, { host: 'n1' });
        await waitFor('a hint for the new leader', () => fired > 0);
        const afterWin = fired;
        await leadership.resign();
        await waitFor('a hint after resign', () => fired > afterWin, { timeoutMs: beforeExpiryMs() });
      } finally {
        watch.abort();
      }
    });

    for (const how of ['resign', 'session close'] as const) {
      it(`${how}: the term ends and a waiting session takes over before expiry, with a higher term`, async () => {
        const cluster = ctx.cluster();
        const a = await ctx.session(cluster, 'a');
        const b = await ctx.session(cluster, 'b');
        const first = await a.session.campaign(ELECTION, { host: 'a' });
        const waiting = track(b.session.campaign(ELECTION, { host: 'b' }));
        if (how === 'resign') await first.resign();
        else await a.session.close();
        assert.ok(first.signal.aborted, 'the old term did not end');
        const second = await withTimeout('the takeover', waiting.promise, beforeExpiryMs());
        assert.ok(second.term > first.term, `term ${second.term} after ${first.term}`);
        assert.equal((await b.backend.leader(ELECTION))?.nodeId, 'b');
      });
    }

    it('disturbLeader: the holder stops within renewDeadlineMs + retryPeriodMs; a new campaign wins a higher term', async () => {
      const cluster = ctx.cluster();
      const { session } = await ctx.session(cluster, 'n1');
      const first = await session.campaign(ELECTION, { host: 'n1' });
      await ctx.harness.disturbLeader(cluster, ELECTION);
      const { renewDeadlineMs, retryPeriodMs, ttlMs } = ctx.timing;
      // One retry period of slack for the renewal that notices it and for scheduling.
      await waitForAbort('the disturbed term to end', first.signal, renewDeadlineMs + 2 * retryPeriodMs);
      assert.ok(isBatonError(first.signal.reason), 'the abort reason is a BatonError');
      const again = await withTimeout('the next term', session.campaign(ELECTION, { host: 'n1' }), 2 * ttlMs + renewDeadlineMs);
      assert.ok(again.term > first.term, `term ${again.term} after ${first.term}`);
    });

    it('the end of a term says why: resigned, taken-over or renew-deadline when disturbed, closed on session close', async () => {
      const cluster = ctx.cluster();
      const { session } = await ctx.session(cluster, 'n1');
      const endedWith = (leadership: Leadership, reasons: readonly LeadershipEndReason[]) => {
        const reason: unknown = leadership.signal.reason;
        assert.ok(reason instanceof LeadershipEndedError, `abort reason ${String(reason)} is not a LeadershipEndedError`);
        assert.ok(reasons.includes(reason.reason), `reason "${reason.reason}", expected one of ${reasons.join(', ')}`);
        assert.equal(reason.code, 'NOT_LEADER');
        assert.deepEqual([reason.election, reason.term], [ELECTION, leadership.term]);
      };
      const resigned = await session.campaign(ELECTION, { host: 'n1' });
      await resigned.resign();
      endedWith(resigned, ['resigned']);
      const disturbed = await withTimeout('a campaign after resign', session.campaign(ELECTION, { host: 'n1' }), beforeExpiryMs());
      await ctx.harness.disturbLeader(cluster, ELECTION);
      await waitForAbort('the disturbed term to end', disturbed.signal, ctx.timing.renewDeadlineMs + 2 * ctx.timing.retryPeriodMs);
      // A backend may not tell "changed behind my back" from "not renewed in time".
      endedWith(disturbed, ['taken-over', 'renew-deadline']);
      const closed = await withTimeout('the next term', session.campaign(ELECTION, { host: 'n1' }), 2 * ctx.timing.ttlMs + ctx.timing.renewDeadlineMs);
      await session.close();
      endedWith(closed, ['closed']);
    });

    it('15 campaigns of one session at once: no MaxListenersExceededWarning, and no listener left on lost', async () => {
      const cluster = ctx.cluster();
      const holder = await ctx.session(cluster, 'holder');
      const { session } = await ctx.session(cluster, 'many');
      const elections = Array.from({ length: 15 }, (_, i) => `many-${i}`);
      const held = await Promise.all(elections.map((e) => holder.session.campaign(e, { host: 'holder' })));
      const baseline = getEventListeners(session.lost, 'abort').length;
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on('warning', onWarning);
      try {
        // 1. Campaigns that wait, then are aborted.
        const stop = new AbortController();
        setMaxListeners(Infinity, stop.signal); // the caller's own signal, shared by 15 calls: its limit is the caller's business
        const aborted = elections.map((e) => track(session.campaign(e, { host: 'many' }, { signal: stop.signal })));
        stop.abort();
        for (const c of aborted) await assert.rejects(c.promise, (e: unknown) => isBatonError(e, 'ABORTED'));
        // 2. Campaigns that wait, then win when the holder resigns, then resign.
        const waiting = elections.map((e) => track(session.campaign(e, { host: 'many' })));
        await Promise.all(held.map((l) => l.resign()));
        const won = await withTimeout('all 15 campaigns', Promise.all(waiting.map((c) => c.promise)), beforeExpiryMs());
        await Promise.all(won.map((l) => l.resign()));
        await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
        assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
        // The session's own loops (keep-alives, the local deadline) hold a listener or two on
        // `lost` only while one of their waits is pending, so the count is a snapshot that
        // moves: the baseline may have been taken with one more than now. A leak is one or more
        // per campaign (30 here): wait for the count to come back to the baseline or below.
        await waitFor('no listener left on the session\'s lost signal', () => getEventListeners(session.lost, 'abort').length <= baseline);
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('a corrupt leader info: leader() rejects CorruptDocumentError, nothing crashes', async () => {
      const cluster = ctx.cluster();
      const observer = await ctx.open(cluster);
      const { session } = await ctx.session(cluster, 'n1');
      const leadership = await session.campaign(ELECTION, { host: 'n1' });
      await ctx.harness.writeRawLeaderInfo(cluster, ELECTION, '{"host": ');
      await assert.rejects(observer.leader(ELECTION), (error: unknown) => error instanceof CorruptDocumentError);
      assert.equal(session.state, 'live');
      await leadership.resign();
      await waitFor('no leader after resign', async () => (await observer.leader(ELECTION)) === null, { timeoutMs: beforeExpiryMs() });
    });

    it('campaign rejects AbortedError for an aborted signal, and when aborted while waiting', async () => {
      const cluster = ctx.cluster();
      const { session } = await ctx.session(cluster, 'n1');
      await assert.rejects(session.campaign(ELECTION, { host: 'n1' }, { signal: AbortSignal.abort() }), (e: unknown) => isBatonError(e, 'ABORTED'));
      const other = await ctx.session(cluster, 'n2');
      const held = await session.campaign(ELECTION, { host: 'n1' });
      const stop = new AbortController();
      const waiting = track(other.session.campaign(ELECTION, { host: 'n2' }, { signal: stop.signal }));
      stop.abort();
      await assert.rejects(waiting.promise, (e: unknown) => isBatonError(e, 'ABORTED'));
      assert.equal(held.signal.aborted, false);
      assert.equal((await other.backend.leader(ELECTION))?.nodeId, 'n1');
    });

    it('session.close() aborts lost, ends the term and rejects later campaigns', async () => {
      const cluster = ctx.cluster();
      const observer = await ctx.open(cluster);
      const { session } = await ctx.session(cluster, 'n1');
      const leadership = await session.campaign(ELECTION, { host: 'n1' });
      await session.close();
      await session.close();
      assert.ok(session.lost.aborted, 'lost did not abort');
      assert.ok(leadership.signal.aborted, 'the term did not end');
      await assert.rejects(session.campaign(ELECTION, { host: 'n1' }), (e: unknown) => isBatonError(e, 'CLOSED') || isBatonError(e, 'SESSION_LOST'));
      await waitFor('no leader after close', async () => (await observer.leader(ELECTION)) === null, { timeoutMs: beforeExpiryMs() });
    });

    it('a closed session releases a waiting campaign with an error', async () => {
      const cluster = ctx.cluster();
      const a = await ctx.session(cluster, 'a');
      const b = await ctx.session(cluster, 'b');
      await a.session.campaign(ELECTION, { host: 'a' });
      const waiting = track(b.session.campaign(ELECTION, { host: 'b' }));
      await b.session.close();
      await assert.rejects(withTimeout('the waiting campaign', waiting.promise, beforeExpiryMs()), (e: unknown) => isBatonError(e, 'CLOSED') || isBatonError(e, 'SESSION_LOST'));
    });
  });
}
