/**
 * Issue 10 case 5, SQL: a step of the database clock. SQLite evaluates `now` inside the node
 * process, from its wall clock, so a leader run under libfaketime (wall clock stepped through a
 * file, monotonic clock untouched) sees exactly what a server-side clock step looks like: its
 * renewals' `now` jumps while performance.now() runs on.
 *
 * A forward step eats the margin ttlMs - renewDeadlineMs of every lease written before it (they
 * expire that much early in real time); beyond half the margin the leader stops acting at once,
 * saying why. A backward step only makes leases last longer: reported, and the leader goes on.
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
import { waitFor } from '../support/wait.js';

/** Margin ttl - renewDeadline = 6 s, so the tolerated gain is 3 s. */
const TIMING: SessionTiming = { ttlMs: 10_000, renewDeadlineMs: 4_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const TOLERANCE_MS = clockGainToleranceMs(TIMING);
/**
 * The step, in whole seconds (libfaketime's offset unit): beyond the tolerance, yet far shorter
 * than what a lease renewed a retry period ago has left (10 - 0.25 s, minus a slow round trip
 * under load), so the rows do not expire at the step and only the check can tell.
 */
const STEP_S = 4;
const SCRIPT = fileURLToPath(new URL('./contender-process.js', import.meta.url));
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

type Report = { event: string; term?: number; reason?: string; result?: string };

describe('SQLite: the database clock steps under a leader (libfaketime)', () => {
  let fixture: SqlFixture | undefined;
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await fixture?.teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
    child = fixture = dir = undefined;
  });

  /** Starts a leader whose wall clock is offset by the content of the returned file. */
  async function fakedLeader() {
    assert.ok(existsSync(LIBFAKETIME), `libfaketime is not installed (${LIBFAKETIME}); apt-get install faketime`);
    fixture = await createSqliteFixture();
    dir = mkdtempSync(path.join(os.tmpdir(), 'baton-faketime-'));
    const offsetFile = path.join(dir, 'offset');
    writeFileSync(offsetFile, '+0\n');
    const env = {
      ...process.env,
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME_TIMESTAMP_FILE: offsetFile,
      FAKETIME_NO_CACHE: '1', // read the file at every clock read, so a step is seen at once
      FAKETIME_DONT_FAKE_MONOTONIC: '1', // performance.now() and timers stay real
    };
    const reports: Report[] = [];
    let stderr = '';
    child = fork(SCRIPT, [fixture.url, 'clock', 'a', JSON.stringify(TIMING)], { env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('message', (m) => reports.push(m as Report));
    const leading = await waitFor('the faked leader to lead', () => reports.find((r) => r.event === 'leading'), { timeoutMs: 20_000 });
    const step = (seconds: number) => writeFileSync(offsetFile, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
    const write = async () => {
      const before = reports.filter((r) => r.event === 'write').length;
      child?.send('write');
      return (await waitFor('a write report', () => reports.filter((r) => r.event === 'write')[before])).result;
    };
    return { leading, reports, step, write, stderr: () => stderr };
  }

  it(`a forward step beyond ${TOLERANCE_MS} ms stops the leader at once, saying the database clock gained`, async () => {
    const leader = await fakedLeader();
    assert.equal(await leader.write(), 'landed');
    leader.step(STEP_S);
    // A few renewal periods: the first renewal after the step sees it.
    const stopped = await waitFor('the leader to stop after the step', () => leader.reports.find((r) => r.event === 'stopped'), { timeoutMs: 10 * TIMING.retryPeriodMs + 2_000 }).catch(() => undefined);
    assert.ok(stopped, `the leader still leads ${STEP_S} s of database-clock step later: ${JSON.stringify(leader.reports)} ${leader.stderr()}`);
    assert.match(stopped.reason ?? '', /database clock gained/);
    // stderr is a pipe apart from the IPC channel: the warning may arrive after the report.
    await waitFor('the clock warning on stderr', () => /BatonDbClockWarning/.test(leader.stderr()), { timeoutMs: 5_000 });
    assert.notEqual(await leader.write(), 'landed');
  });

  it('a backward step is reported and the leader goes on', async () => {
    const leader = await fakedLeader();
    leader.step(-STEP_S);
    await waitFor('the backward step to be reported', () => /BatonDbClockWarning.*went back/s.test(leader.stderr()));
    assert.equal(await leader.write(), 'landed');
    assert.equal(leader.reports.find((r) => r.event === 'stopped'), undefined);
  });
});
