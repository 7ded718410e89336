/**
 * baton itself, on any store URL: one session per process, `session.campaign(election)`;
 * isLeader is `leadership.held()` (checked against the term's deadline when asked); resign is
 * `leadership.resign()`; the leader's write is a KV put fenced by its term.
 */
import type { Leadership, SessionTiming } from '../../src/contract/index.js';
import { DEFAULT_TIMING } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
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
  const session = await backend.openSession({ nodeId: id, info: { nodeId: id }, timing });
  let leadership: Leadership | undefined;
  return {
    async campaign() {
      leadership = await session.campaign(election, { nodeId: id });
    },
    isLeader: () => leadership?.held() ?? false,
    async resign() {
      await leadership?.resign();
      leadership = undefined;
    },
    async leaderWrite() {
      if (leadership === undefined) throw new Error('leaderWrite before leading');
      try {
        await backend.kv.put(`bench/${election}`, { by: id }, { fence: leadership.fence });
        return 'accepted';
      } catch (error) {
        // Fenced off, or the session that held the term is gone: the store turned it down.
        if (error instanceof BatonError && ['FENCED', 'NOT_LEADER', 'SESSION_LOST'].includes(error.code)) return 'refused';
        throw error;
      }
    },
  };
};
