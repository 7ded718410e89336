/**
 * Issue 10 case 5, SQL: a database clock that gains on real time (here 2x: a VM clock catching
 * up, a clock stepped again and again) makes every lease expire early in real time. Both nodes
 * run on SQLite under libfaketime, reading one offset file, so they share one database clock,
 * as nodes of one SQLite file share the machine's clock; the test advances that offset by
 * DRIFT_STEP_MS every DRIFT_STEP_MS. Then the leader pauses (SIGSTOP) for less than its
 * renewDeadlineMs: without the clock check, the other node takes the lease, expired early,
 * while the leader is paused, and the leader's first answer after resuming is still "held".
 * With it, the leader stopped as soon as the gain passed half the margin, before any of that.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import type { SessionTiming } from '../../src/contract/index.js';
import { clockGainToleranceMs } from '../../src/backends/sql/db-clock-check.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { killChild } from '../support/child-process.js';
import { freezeBetweenWrites } from '../support/sqlite-freeze.js';

/** Margin 1.5 s (tolerated gain 0.75 s); at 2x a lease lasts ttl / 2 = 3 s of real time, less than renewDeadlineMs. */
const TIMING: SessionTiming = { ttlMs: 6_000, renewDeadlineMs: 4_500, retryPeriodMs: 250, pollIntervalMs: 50 };
/** The database clock gains this much every this many ms of real time (it runs at 2x). */
const DRIFT_STEP_MS = 250;
/** Gain before the pause: twice the tolerance, so a checking leader has seen it. */
const DRIFT_BEFORE_PAUSE_MS = 2 * clockGainToleranceMs(TIMING);
/**
 * Longest pause: past the 3 s an unchecked lease lasts at 2x, yet short of the leader's own
 * deadline (4.5 s after its last renewal started, at most one retry period before the pause).
 */
const PAUSE_LIMIT_MS = 3_800;
/** Freezes longer than this count as the pause in the leader's sampling loop. */
const GAP_MS = 2_000;
const SAMPLER = fileURLToPath(new URL('./resume-sampler-process.js', import.meta.url));
const CONTENDER = fileURLToPath(new URL('./contender-process.js', import.meta.url));
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

type Report = { event: string; term?: number; reason?: string; after?: boolean };

describe('SQLite: a database clock that gains on real time (libfaketime, shared by both nodes)', () => {
  let fixture: SqlFixture | undefined;
  let dir: string | undefined;
  let drift: NodeJS.Timeout | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    clearInterval(drift);
    for (const child of children.splice(0)) await killChild(child);
    await fixture?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
    fixture = dir = drift = undefined;
  });

  it('the leader stops before its lease can expire early for the other node', async () => {
    assert.ok(existsSync(LIBFAKETIME), `libfaketime is not installed (${LIBFAKETIME}); apt-get install faketime`);
    fixture = await createSqliteFixture();
    dir = mkdtempSync(path.join(os.tmpdir(), 'baton-faketime-'));
    const offsetFile = path.join(dir, 'offset');
    let offsetMs = 0;
    writeFileSync(offsetFile, '+0\n');
    const env = { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: offsetFile, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    const start = (script: string, args: string[]) => {
      const reports: Report[] = [];
      const child = fork(script, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m) => reports.push(m as Report));
      children.push(child);
      return { child, reports };
    };
    const leader = start(SAMPLER, [fixture.url, 'drift', 'a', JSON.stringify(TIMING), 'held', String(GAP_MS)]);
    await waitFor('a to lead', () => leader.reports.some((r) => r.event === 'leading'), { timeoutMs: 20_000 });
    const other = start(CONTENDER, [fixture.url, 'drift', 'b', JSON.stringify(TIMING)]);
    await waitFor('b to campaign', () => other.reports.some((r) => r.event === 'ready'), { timeoutMs: 20_000 });

    const drifted = new Promise<void>((resolve) => {
      drift = setInterval(() => {
        offsetMs += DRIFT_STEP_MS;
        writeFileSync(offsetFile, `+${offsetMs / 1000}\n`);
        if (offsetMs >= DRIFT_BEFORE_PAUSE_MS) resolve();
      }, DRIFT_STEP_MS);
    });
    await drifted;
    await freezeBetweenWrites(leader.child, fixture.database);
    const otherLed = await withTimeout('b to lead', waitFor('b to lead', () => other.reports.some((r) => r.event === 'leading'), { timeoutMs: PAUSE_LIMIT_MS }), PAUSE_LIMIT_MS + 1_000).catch(() => false);
    leader.child.kill('SIGCONT');
    const resumed = await waitFor("a's first answer after the pause", () => leader.reports.find((r) => r.event === 'resumed'));
    const story = `a: ${JSON.stringify(leader.reports)}; b: ${JSON.stringify(other.reports)}`;
    assert.equal(resumed.after, false, `a still held its term after the pause${otherLed ? ', while b led' : ''}: its lease expired early and it kept acting (${story})`);
    const stopped = leader.reports.find((r) => r.event === 'stopped');
    assert.match(stopped?.reason ?? '', /database clock gained/, `a did not stop for the clock (${story})`);
  });
});
