/**
 * A ZooKeeper leader in its own process, for the SIGSTOP test (sigstop.test.ts). It campaigns
 * for "leader" and, while it leads, asks `held()` in a tight loop (yielding to the event loop
 * between short bursts, so probes and timers still run). When two answers are further apart
 * than GAP_MS, the process was frozen in between: it reports the first answer after the gap,
 * given before any timer of the resumed process could run. IPC messages:
 *   { event: 'leading', term } | { event: 'resumed', held, gapMs } | { event: 'stopped', reason }
 * Usage (forked with IPC): frozen-holder-process.js CONNECT TIMING_JSON
 */
import type { SessionTiming } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import type { LeadershipEndedError } from '../../src/errors.js';

const [connect, timingJson] = process.argv.slice(2);
if (!connect || !timingJson || !process.send) {
  console.error('usage (forked with IPC): frozen-holder-process.js CONNECT TIMING_JSON');
  process.exit(2);
}
const timing = JSON.parse(timingJson) as SessionTiming;
const send = (message: object) => process.send?.(message);

/** Length of one burst of `held()` calls, ms (performance.now()): most of the time is spent in one. */
const BURST_MS = 20;
/** Two answers further apart than this mean the process was frozen in between, ms: far above any burst gap. */
const GAP_MS = timing.ttlMs / 2;

const backend = await createZookeeperBackend({ connect, cluster: 'sigstop' });
const session = await backend.openSession({ nodeId: 'frozen', info: {}, timing });
const held = await session.campaign('leader', {});
send({ event: 'leading', term: held.term });
held.signal.addEventListener('abort', () => send({ event: 'stopped', reason: (held.signal.reason as LeadershipEndedError).reason }), { once: true });

let last = performance.now();
const burst = () => {
  const until = performance.now() + BURST_MS;
  for (;;) {
    const now = performance.now();
    const answer = held.held();
    if (now - last > GAP_MS) {
      send({ event: 'resumed', held: answer, gapMs: Math.round(now - last) });
      return;
    }
    last = now;
    if (now >= until) break;
  }
  last = performance.now();
  setImmediate(burst);
};
setImmediate(burst);
process.on('message', (message) => {
  if (message === 'close') void backend.close().finally(() => process.disconnect?.());
});
