/**
 * A session source that hands an elector one given session (a wrapped or instrumented one) and
 * nothing after it: after that session's loss the elector waits, campaigning no more, until closed.
 */
import type { Session } from '../../src/contract/index.js';
import type { JsonObject } from '../../src/contract/json.js';
import { SuppliedSessions, type SessionSource } from '../../src/election/index.js';

export function oneSession(session: Session, info: JsonObject = {}): SessionSource {
  const sessions = new SuppliedSessions(info, session.timing);
  void sessions.supply(session, { signal: new AbortController().signal });
  return sessions;
}
