/**
 * One contender process of `npm run bench -- alternatives` (forked with IPC by
 * alternatives-trials.ts). Usage: alternatives-worker.js CONTENDER OPTIONS_JSON [auto]
 * where CONTENDER names a file in bench/contenders/ and OPTIONS_JSON is its ContenderOptions.
 *   -> { event: 'ready' } once connected; { event: 'leading' } when campaign() resolves (or
 *      the contender leads again by itself: Contender.whenLeadingAgain);
 *      { event: 'act' } every ACT_INTERVAL_MS while isLeader() says yes (each act stands for
 *      work only the leader may do, seen by the parent); { event: 'write', outcome } after a
 *      pause while armed; { event: 'stats', cpuMs, rssBytes }; { event: 'failed', message }.
 *   <- 'campaign' ('auto' on the command line: at once), 'resign', 'arm' (the next pause ends
 *      with a leaderWrite()), 'quiet' / 'loud' (stop / resume acting), 'stats'.
 * Nothing is caught around the library: an error it throws ends this process, as it would
 * end the user's.
 */
import type { Contender, ContenderOptions, OpenContender } from './contenders/contender.js';

/** How often the leader acts (asks isLeader() and reports an act), ms. */
const ACT_INTERVAL_MS = 10;
/** A gap between two acting ticks this long means the process was frozen, ms. */
const PAUSE_MS = 500;

const [name, optionsJson, auto] = process.argv.slice(2);
if (!name || !optionsJson || !process.send) {
  console.error('usage (forked with IPC): alternatives-worker.js CONTENDER OPTIONS_JSON [auto]');
  process.exit(2);
}
const send = (message: object) => process.send?.(message);
const module = (await import(`./contenders/${name}.js`)) as { open: OpenContender };
const contender: Contender = await module.open(JSON.parse(optionsJson) as ContenderOptions);
contender.whenLeadingAgain?.(() => send({ event: 'leading' }));
let quiet = false;
let armed = false;
let lastTick = performance.now();

function campaign(): void {
  contender.campaign().then(
    () => send({ event: 'leading' }),
    (error: unknown) => send({ event: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
}

function tick(): void {
  const now = performance.now();
  if (armed && now - lastTick > PAUSE_MS) {
    armed = false;
    contender.leaderWrite().then(
      (outcome) => send({ event: 'write', outcome }),
      (error: unknown) => send({ event: 'write', outcome: `failed: ${error instanceof Error ? error.message : String(error)}` }),
    );
  }
  lastTick = now;
  if (!quiet && contender.isLeader()) send({ event: 'act' });
}

process.on('message', (message) => {
  if (message === 'campaign') campaign();
  else if (message === 'resign') {
    contender.resign().then(
      () => send({ event: 'resigned' }),
      (error: unknown) => send({ event: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  }
  else if (message === 'arm') armed = true;
  else if (message === 'quiet') quiet = true;
  else if (message === 'loud') quiet = false;
  else if (message === 'stats') {
    const cpu = process.cpuUsage();
    send({ event: 'stats', cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage().rss });
  }
});
setInterval(tick, ACT_INTERVAL_MS);
send({ event: 'ready' });
if (auto === 'auto') campaign();
