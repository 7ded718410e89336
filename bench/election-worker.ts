/**
 * One election contender for `npm run bench -- election`, in its own process (forked with IPC).
 * Usage: election-worker.js URL CLUSTER NODE_ID TIMING_JSON [auto]
 *   -> { event: 'ready' } once its session is open; { event: 'leading', term } when it leads;
 *      { event: 'closed' } after a graceful close (then it rejoins at once, idle until 'campaign').
 *   <- 'campaign' (start campaigning; 'auto' on the command line means at once), 'close'
 *      (graceful close, then rejoin), 'exit'.
 */
import type { Backend, Session, SessionTiming } from '../src/contract/index.js';
import { openStore } from '../src/backends/open-store.js';

const [url, cluster, nodeId, timingJson, auto] = process.argv.slice(2);
if (!url || !cluster || !nodeId || !timingJson || !process.send) {
  console.error('usage (forked with IPC): election-worker.js URL CLUSTER NODE_ID TIMING_JSON [auto]');
  process.exit(2);
}
const timing = JSON.parse(timingJson) as SessionTiming;
const id: string = nodeId;
const storeUrl: string = url;
const clusterName: string = cluster;
const send = (message: object) => process.send?.(message);
let campaigning = auto === 'auto';
let current: { backend: Backend; session: Session } | undefined;

function campaign(): void {
  const session = current?.session;
  session?.campaign('leader', { nodeId: id }).then(
    (leadership) => send({ event: 'leading', term: leadership.term }),
    () => undefined, // closed while waiting: the parent asked for it
  );
}

async function join(): Promise<void> {
  const backend = await openStore(storeUrl, { cluster: clusterName, pollIntervalMs: timing.pollIntervalMs });
  const session = await backend.openSession({ nodeId: id, info: { nodeId: id }, timing });
  current = { backend, session };
  send({ event: 'ready' });
  if (campaigning) campaign();
}

async function onMessage(message: unknown): Promise<void> {
  if (message === 'campaign') {
    campaigning = true;
    campaign();
  } else if (message === 'close') {
    const closing = current;
    current = undefined;
    await closing?.backend.close();
    send({ event: 'closed' });
    campaigning = false; // rejoin idle, so the handoff goes to a waiting contender; 'campaign' resumes
    await join();
  } else if (message === 'exit') {
    await current?.backend.close();
    process.exit(0);
  }
}

process.on('message', (message) => {
  onMessage(message).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});
await join();
