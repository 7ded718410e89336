/**
 * One term this node leads, as the elector announces it: the backend's leadership, the held view
 * given to listeners, and the order in which it ends (signal, listeners, then the lease).
 */
import type { Logger } from 'pino';
import type { Leadership } from '../contract/contract.js';
import { LeadershipEndedError } from '../errors.js';
import type { Held, ReleaseReason } from '../holding/index.js';
import { judgedController } from '../judged-signal.js';
import type { ElectorListeners } from './elector-listeners.js';

export interface Term {
  readonly leadership: Leadership;
  /** What listeners get: its signal aborts with the leadership's, or earlier when the elector ends the term. */
  readonly held: Held;
  /** Aborted by resign(): end this term on purpose. */
  readonly stepDown: AbortController;
  /** Resolves once the term has ended (listeners settled, lease given up when it should be). */
  readonly ended: Promise<void>;
  end(reason: ReleaseReason, listeners: ElectorListeners, log: Logger | undefined): Promise<void>;
}

/**
 * The term of a won campaign, or null when it is no longer held. The check is made on the
 * monotonic clock right before the caller announces it, with nothing in between that waits, so
 * `acquired` never sees a term that has already ended (issue 10, case 3). Such a term gets no
 * `released` either; its lease is left to expire in the store (docs/safety.md rule 5).
 */
export function startTerm(leadership: Leadership, log: Logger | undefined): Term | null {
  if (!leadership.held()) {
    log?.warn({ term: leadership.term, reason: describeCause(leadership.signal.reason) }, 'won a term that had already ended; not starting it');
    return null;
  }
  // Aborts with the leadership (judged when read: a term past its deadline reads as ended at
  // once) or when the elector ends the term first (resign, close), before the lease is released.
  const stopped = judgedController(() => {
    if (!leadership.held()) stopped.abort(leadership.signal.reason);
  });
  leadership.signal.addEventListener('abort', () => stopped.abort(leadership.signal.reason), { once: true, signal: stopped.signal });
  let markEnded!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const held: Held = { token: leadership.term, fence: leadership.fence, signal: stopped.signal };
  log?.info({ term: leadership.term, reason: 'elected' }, 'started leading');
  return {
    leadership,
    held,
    stepDown: new AbortController(),
    ended,
    /**
     * 1. abort the held signal: the leader's work stops;
     * 2. await the `released` listeners;
     * 3. unless the term was lost, resign: the lease is given up at once, only now (docs/safety.md
     *    rule 5: a lost term's lease expires on its own, which is the margin for step 2).
     */
    async end(reason, listeners, endLog) {
      if (!stopped.signal.aborted) stopped.abort(new LeadershipEndedError(leadership.election, leadership.term, reason === 'closed' ? 'closed' : 'resigned'));
      endLog?.info({ term: leadership.term, reason: reason === 'lost' ? describeCause(leadership.signal.reason) : reason }, 'stopped leading');
      await listeners.released(reason);
      if (reason !== 'lost') {
        await leadership.resign().catch((error: unknown) => endLog?.warn({ err: error, term: leadership.term, reason: 'resign failed' }, 'resign failed; the lease will expire'));
      }
      markEnded();
    },
  };
}

/** A short text for a term's or session's end reason (its `reason` field, or its message). */
export function describeCause(reason: unknown): string {
  if (reason !== null && typeof reason === 'object' && 'reason' in reason && typeof reason.reason === 'string') return reason.reason;
  return reason instanceof Error ? reason.message : 'term ended';
}
