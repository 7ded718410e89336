/**
 * Issue 10 case 4, SQL: a leader PROCESS frozen (SIGSTOP) for longer than its TTL while it
 * asks "do I hold it?" in a tight loop. Another node takes over meanwhile. On SIGCONT the
 * process runs synchronous code before any timer, so its deadline timer cannot have fired yet:
 * the first answer it gives after resuming (`leadership.held()`, or `elector.isLeader()`, which
 * reads the term's signal) must already be "not held", because every such answer checks the
 * local deadline on the monotonic clock at the moment it is asked.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import type { Backend, SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { killChild } from '../support/child-process.js';
import { freezeBetweenWrites } from '../support/sqlite-freeze.js';

/** Short real timings: the freeze lasts about one ttl (until the other node took over). */
const TIMING: SessionTiming = { ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const SCRIPT = fileURLToPath(new URL('./resume-sampler-process.js', import.meta.url));

type Report = { event: string; term?: number; before?: boolean; after?: boolean; gapMs?: number; sameBurst?: boolean };

const ENGINES = [
  { name: 'sqlite', createFixture: createSqliteFixture },
  { name: 'postgres', createFixture: createPostgresFixture },
] as const;

for (const engine of ENGINES) {
  describe(`${engine.name}: a leader resumed after a freeze longer than its ttl`, () => {
    let fixture: SqlFixture | undefined;
    let child: ChildProcess | undefined;
    let backend: Backend | undefined;
    afterEach(async () => {
      await killChild(child);
      await backend?.close().catch(() => undefined);
      await fixture?.teardown();
      child = backend = fixture = undefined;
    });

    for (const mode of ['held', 'elector'] as const) {
      const asks = mode === 'held' ? 'leadership.held()' : 'elector.isLeader()';
      it(`answers "not held" from its first ${asks} after SIGCONT, while another node leads`, async () => {
        fixture = await engine.createFixture();
        const reports: Report[] = [];
        child = fork(SCRIPT, [fixture.url, 'resume', 'a', JSON.stringify(TIMING), mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        child.on('message', (m) => reports.push(m as Report));
        const leading = await waitFor('the child to lead', () => reports.find((r) => r.event === 'leading'), { timeoutMs: 20_000 });

        backend = await openStore(fixture.url, { cluster: 'resume', pollIntervalMs: TIMING.pollIntervalMs });
        const session = await backend.openSession({ nodeId: 'b', info: {}, timing: TIMING });
        const campaign = session.campaign('leader', {});
        if (fixture.dialect === 'sqlite') await freezeBetweenWrites(child, fixture.database);
        else child.kill('SIGSTOP');
        const successor = await withTimeout('b to take over from the frozen leader', campaign, TIMING.ttlMs * 3);
        assert.ok(successor.term > (leading.term ?? Infinity));

        child.kill('SIGCONT');
        const resumed = await waitFor('the child to report its first answer after resuming', () => reports.find((r) => r.event === 'resumed'));
        assert.ok((resumed.gapMs ?? 0) > TIMING.renewDeadlineMs, `freeze of ${resumed.gapMs} ms`);
        assert.equal(resumed.before, true, 'the child did not hold the term right before the freeze (the trial proves nothing)');
        assert.equal(
          resumed.after,
          false,
          `after a ${Math.round(resumed.gapMs ?? 0)} ms freeze ${asks} still said "held" while b led term ${successor.term}` +
            (resumed.sameBurst === true ? '' : ' (freeze between bursts)'),
        );
        child.send('exit');
      });
    }
  });
}
