/**
 * A contender in its own process, for the multi-process tests: opens the store given on the
 * command line, opens a session and campaigns for "leader", reporting over IPC:
 *   { event: 'ready', sessionId } | { event: 'leading', term } | { event: 'stopped', term }
 *   | { event: 'observed', nodeId, term } (the leader as this process reads it) | { event: 'closed' }
 * The parent sends 'close' for a graceful close. Usage (forked): contender-process.js URL CLUSTER NODE_ID TIMING_JSON
 */
import type { SessionTiming } from '../../src/backend/index.js';
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

process.on('message', (message) => {
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
  const leadership = await session.campaign('leader', { nodeId });
  send({ event: 'leading', term: leadership.term });
  leadership.signal.addEventListener('abort', () => send({ event: 'stopped', term: leadership.term }), { once: true });
} catch {
  // Closed or lost while waiting: the parent asked for it.
}
