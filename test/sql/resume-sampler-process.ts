/**
 * A leader in its own process that asks "do I hold it?" in a tight loop, for the resume test:
 * opens the store given on the command line and a session, wins "leader" (through a
 * LeaderElector in mode `elector`, through `session.campaign` in mode `held`), then samples
 * `elector.isLeader()` or `leadership.held()` in synchronous bursts of BURST_MS, letting the
 * event loop (renewals, timers) run between bursts. When two consecutive samples lie more than
 * GAP_MS (default renewDeadlineMs) apart, the process was frozen in between (SIGSTOP); it
 * reports the answer given just before the freeze and the first one asked entirely after it,
 * before any timer could run:
 *   { event: 'leading', term } | { event: 'stopped', reason }
 *   | { event: 'resumed', before, after, gapMs, sameBurst }
 * Usage (forked with IPC): resume-sampler-process.js URL CLUSTER NODE_ID TIMING_JSON MODE [GAP_MS]
 */
import type { Leadership, SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { LeaderElector } from '../../src/election/leader-elector.js';
import { oneSession } from '../support/one-session.js';

/**
 * How long one synchronous burst of samples lasts, on the monotonic clock: long against the
 * pause between bursts (one event-loop turn), so a SIGSTOP almost always lands inside a burst,
 * where no timer can run before the next sample; short against the retry period (250 ms in the
 * test), so renewals still go out on time.
 */
const BURST_MS = 20;

const [url, cluster, nodeId, timingJson, mode, gapArg] = process.argv.slice(2);
if (!url || !cluster || !nodeId || !timingJson || (mode !== 'held' && mode !== 'elector') || !process.send) {
  console.error('usage (forked with IPC): resume-sampler-process.js URL CLUSTER NODE_ID TIMING_JSON held|elector [GAP_MS]');
  process.exit(2);
}
const timing = JSON.parse(timingJson) as SessionTiming;
/** A gap between two samples longer than this (default renewDeadlineMs) is a freeze. */
const gapMs = gapArg === undefined ? timing.renewDeadlineMs : Number(gapArg);
const send = (message: object) => process.send?.(message);

const backend = await openStore(url, { cluster, pollIntervalMs: timing.pollIntervalMs });
const session = await backend.openSession({ nodeId, info: { nodeId }, timing });
process.on('message', (message) => {
  if (message === 'exit') process.exit(0);
});

let ask: () => boolean;
let leadership: Leadership;
if (mode === 'elector') {
  const elector = new LeaderElector({ backend, sessions: oneSession(session, { nodeId }), election: 'leader' });
  elector.start();
  leadership = await elector.whenLeader();
  ask = () => elector.isLeader();
} else {
  const held = await session.campaign('leader', { nodeId });
  leadership = held;
  ask = () => held.held();
}
send({ event: 'leading', term: leadership.term });
leadership.signal.addEventListener('abort', () => send({ event: 'stopped', reason: String((leadership.signal.reason as Error | undefined)?.cause ?? leadership.signal.reason) }), {
  once: true,
});

let previousAt = performance.now();
let previousAnswer = true;
/** Set when a freeze was seen: the next answer is the first asked entirely after it. */
let resumed: { before: boolean; gapMs: number; sameBurst: boolean } | undefined;

function burst(): void {
  const endAt = performance.now() + BURST_MS;
  let first = true;
  for (;;) {
    const answer = ask();
    if (resumed !== undefined) {
      send({ event: 'resumed', ...resumed, after: answer });
      return; // done: the parent ends this process
    }
    const now = performance.now();
    if (now - previousAt > gapMs) resumed = { before: previousAnswer, gapMs: now - previousAt, sameBurst: !first };
    previousAt = now;
    previousAnswer = answer;
    first = false;
    if (now >= endAt && resumed === undefined) break;
  }
  setImmediate(burst);
}
burst();
