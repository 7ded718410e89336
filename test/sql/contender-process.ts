/**
 * A contender in its own process, for the multi-process tests: opens the store given on the
 * command line, opens a session and campaigns for "leader", reporting over IPC:
 *   { event: 'ready', sessionId } | { event: 'leading', term } | { event: 'stopped', term, reason }
 *   | { event: 'observed', nodeId, term } (the leader as this process reads it) | { event: 'closed' }
 *   | { event: 'write', result: 'landed' | 'fenced' | 'not-leader' | 'failed' }
 * The parent sends 'close' for a graceful close, 'write' for one fenced KV write as leader. Usage (forked): contender-process.js URL CLUSTER NODE_ID TIMING_JSON
 */
import type { Leadership, SessionTiming } from '../../src/contract/index.js';
import { isBatonError } from '../../src/errors.js';
import { openStore } from '../../src/backends/open-store.js';

const [url, cluster, nodeId, timingJson] = process.argv.slice(2);
if (!url || !cluster || !nodeId || !timingJson || !process.send) {
  console.error('usage (forked with IPC): contender-process.js URL CLUSTER NODE_ID TIMING_JSON');
  process.exit(2);
}
const timing = JSON.parse(timingJson) as SessionTiming;
const send = (message: object) => process.send?.(message);

const backend = await openStore(url, { cluster, pollIntervalMs: timing.pollIntervalMs });
const session = await backend.openSession({ nodeId, info: { nodeId, pid: process.pid }, timing });
send({ event: 'ready', sessionId: session.id });

let leadership: Leadership | undefined;
let writes = 0;

/** One write only the leader may make: skipped once the term ended, fenced in the store. */
async function fencedWrite(): Promise<string> {
  if (leadership === undefined || leadership.signal.aborted) return 'not-leader';
  try {
    await backend.kv.put(`writes/${nodeId}/${writes++}`, writes, { fence: leadership.fence });
    return 'landed';
  } catch (error) {
    return isBatonError(error, 'FENCED') ? 'fenced' : 'failed';
  }
}

process.on('message', (message) => {
  if (message === 'write') {
    void fencedWrite().then((result) => send({ event: 'write', result }));
    return;
  }
  if (message !== 'close') return;
  backend.close().then(
    () => {
      send({ event: 'closed' });
      process.disconnect?.();
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});

// Report the leader as this process sees it, on every change.
let seen = '';
const observe = async () => {
  const leader = await backend.leader('leader').catch(() => null);
  const now = leader ? `${leader.nodeId}@${leader.term}` : '';
  if (now !== seen && leader) send({ event: 'observed', nodeId: leader.nodeId, term: leader.term });
  seen = now;
};
backend.watchLeader('leader', () => void observe(), { signal: session.lost });
void observe();

try {
  const held = await session.campaign('leader', { nodeId });
  leadership = held;
  send({ event: 'leading', term: held.term });
  held.signal.addEventListener('abort', () => send({ event: 'stopped', term: held.term, reason: String((held.signal.reason as Error | undefined)?.cause ?? held.signal.reason) }), { once: true });
} catch {
  // Closed or lost while waiting: the parent asked for it.
}
