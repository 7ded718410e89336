/**
 * Issue 10 case 4, SQL: a leader PROCESS frozen (SIGSTOP) for longer than its TTL while it
 * asks "do I hold it?" in a tight loop. Another node takes over meanwhile. On SIGCONT the
 * process runs synchronous code before any timer, so its deadline timer cannot have fired yet:
 * the first answer it gives after resuming (`leadership.held()`, or `elector.isLeader()`, which
 * reads the term's signal) must already be "not held", because every such answer checks the
 * local deadline on the monotonic clock at the moment it is asked.
 * The child is frozen only right after a renewal of its session (freezeFresh): the other node
 * can take over no sooner than the child's member row expires, so the freeze outlasts the
 * child's gap threshold (renewDeadlineMs) whatever the load. Frozen at any moment, a child
 * whose renewals ran late under load was replaced within ~1 s, too short a freeze for it to
 * notice, and the test waited for a report that never came.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, it } from 'node:test';
import type { Backend, SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { postgresDialect } from '../../src/backends/sql/postgres/dialect.js';
import { sqliteDialect } from '../../src/backends/sql/sqlite/dialect.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { killChild } from '../support/child-process.js';
import { freezeBetweenWrites } from '../support/sqlite-freeze.js';

/** Short real timings: the freeze lasts about one ttl (until the other node took over). */
const TIMING: SessionTiming = { ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const SCRIPT = fileURLToPath(new URL('./resume-sampler-process.js', import.meta.url));

type Report = { event: string; term?: number; reason?: string; before?: boolean; after?: boolean; gapMs?: number; sameBurst?: boolean };

const ENGINES = [
  { name: 'sqlite', createFixture: createSqliteFixture, nowMs: sqliteDialect.nowMs },
  { name: 'postgres', createFixture: createPostgresFixture, nowMs: postgresDialect.nowMs },
] as const;

/**
 * Least time left on the frozen child's member row, in ms on the DB clock, for the freeze to
 * count: more than the child's gap threshold (renewDeadlineMs), with one retry period to spare.
 * A renewal every retry period leaves 2,750-3,000 ms, so a child renewing on time passes at once.
 */
const FRESH_MS = TIMING.renewDeadlineMs + TIMING.retryPeriodMs;

/**
 * Freezes the child (between two SQLite writes on SQLite) at a moment its session holds `term`
 * of "leader" with more than FRESH_MS left on its member row, on the DB clock: frozen, it renews
 * no more, so nobody takes over for that long and the freeze lasts longer than the child's gap
 * threshold. Frozen with less left (a renewal ran late), it is continued and frozen again after
 * its next renewal. Fails with what the child reported when its term ended before the freeze
 * (the trial would prove nothing).
 */
async function freezeFresh(child: ChildProcess, fixture: SqlFixture, nowMs: string, term: number | undefined, reports: readonly Report[]): Promise<void> {
  const { lease, member } = tableNames();
  const look = `SELECT l.holder_node, l.term, m.expires_at - ${nowMs} AS left_ms FROM ${lease} l LEFT JOIN ${member} m ON m.cluster = l.cluster AND m.session = l.holder WHERE l.cluster = ? AND l.name = ?`;
  const outcome = await waitFor(
    `the child frozen with more than ${FRESH_MS} ms left on its session`,
    async () => {
      const stopped = reports.find((r) => r.event === 'stopped');
      if (stopped !== undefined) return { lost: `its term ended before the freeze: ${stopped.reason}` };
      if (fixture.dialect === 'sqlite') await freezeBetweenWrites(child, fixture.database);
      else child.kill('SIGSTOP');
      const row = (await fixture.run(look, ['resume', 'leader'])).rows[0];
      if (row?.['holder_node'] !== 'a' || Number(row['term']) !== term) return { lost: `the lease is no longer the child's term ${term}: ${JSON.stringify(row)}` };
      if (row['left_ms'] === null || Number(row['left_ms']) <= 0) return { lost: `its session expired or was deleted: ${JSON.stringify(row)}` };
      if (Number(row['left_ms']) > FRESH_MS) return { lost: undefined };
      child.kill('SIGCONT');
      return undefined;
    },
    { timeoutMs: 20_000 },
  );
  assert.equal(outcome.lost, undefined, `the child did not hold its term until the freeze (under load?), the trial would prove nothing: ${outcome.lost}`);
}

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
        await freezeFresh(child, fixture, engine.nowMs, leading.term, reports);
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
