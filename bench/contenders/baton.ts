/**
 * baton itself, on any store URL: one session at a time per process, `session.campaign(election)`;
 * isLeader is `leadership.held()` (checked against the term's deadline when asked); resign is
 * `leadership.resign()`; the leader's write is a KV put fenced by its term. As a service's
 * elector does, a lost session is replaced (OwnSessions: one retry period's wait, then retries
 * with backoff while the store still holds the node id) and the campaign goes on with the new
 * one, whether the session was lost while waiting or while leading; only resign() stops it.
 */
import type { Leadership, Session, SessionTiming } from '../../src/contract/index.js';
import { DEFAULT_TIMING } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { systemClock } from '../../src/clock.js';
import { OwnSessions } from '../../src/election/session-source.js';
import { BatonError } from '../../src/errors.js';
import type { OpenContender } from './contender.js';

/**
 * Timing for a row's TTL, in the proportions of baton's defaults (deadline 2/3 of the TTL,
 * renew every 1/6) and a 100 ms poll: the SQL election benchmark's timing at a 3 s TTL.
 */
function timingFor(ttlMs: number | undefined): SessionTiming {
  if (ttlMs === undefined) return DEFAULT_TIMING;
  return Object.freeze({ ttlMs, renewDeadlineMs: Math.round((ttlMs * 2) / 3), retryPeriodMs: Math.round(ttlMs / 6), pollIntervalMs: 100 });
}

export const open: OpenContender = async ({ address, id, election, ttlMs }) => {
  const timing = timingFor(ttlMs);
  const backend = await openStore(address, { cluster: 'bench-alternatives', pollIntervalMs: timing.pollIntervalMs });
  const sessions = new OwnSessions({ backend, nodeId: id, info: { nodeId: id }, timing, clock: systemClock });
  let session: Session = await sessions.next({ signal: new AbortController().signal });
  /**
   * The last term won, until resign() or the next win: leaderWrite() is fenced by it even once
   * it has ended (a resumed frozen leader writes with its old term, which the store refuses).
   */
  let term: Leadership | undefined;
  /** From campaign() to resign(): aborting it stops the campaign, and any campaign again. */
  let wanted: AbortController | undefined;
  let leadingAgain: (() => void) | undefined;

  /** The session to campaign with: the current one while it lives, else the next one opened. */
  async function liveSession(signal: AbortSignal): Promise<Session> {
    if (!session.lost.aborted) return session;
    await sessions.done(session);
    session = await sessions.next({ signal });
    return session;
  }

  /**
   * Campaigns until this process leads:
   * 1. campaign on a live session (a new one if the last was lost);
   * 2. the session lost while waiting: back to 1;
   * 3. leading: once that term ends other than by resign() (its session lost, say), campaign again
   *    from 1 in the background, and tell the worker when it leads again.
   */
  async function lead(signal: AbortSignal): Promise<void> {
    for (;;) {
      const current = await liveSession(signal);
      try {
        term = await current.campaign(election, { nodeId: id }, { signal });
      } catch (error) {
        if (!signal.aborted && current.lost.aborted) continue;
        throw error;
      }
      const held = term;
      held.signal.addEventListener('abort', () => {
        if (signal.aborted || term !== held) return; // resigned
        // An error other than a resign's abort is thrown unhandled and ends the process, as it
        // would end a service's (alternatives-worker.ts: nothing is caught around the library).
        lead(signal).then(() => leadingAgain?.(), (error: unknown) => {
          if (!signal.aborted) throw error;
        });
      }, { once: true });
      return;
    }
  }

  return {
    async campaign() {
      wanted?.abort();
      wanted = new AbortController();
      await lead(wanted.signal);
    },
    isLeader: () => term?.held() ?? false,
    whenLeadingAgain(listener) {
      leadingAgain = listener;
    },
    async resign() {
      wanted?.abort();
      wanted = undefined;
      const held = term;
      term = undefined;
      await held?.resign();
    },
    async leaderWrite() {
      if (term === undefined) throw new Error('leaderWrite before leading');
      try {
        await backend.kv.put(`bench/${election}`, { by: id }, { fence: term.fence });
        return 'accepted';
      } catch (error) {
        // Fenced off, or the session that held the term is gone: the store turned it down.
        if (error instanceof BatonError && ['FENCED', 'NOT_LEADER', 'SESSION_LOST'].includes(error.code)) return 'refused';
        throw error;
      }
    },
  };
};
