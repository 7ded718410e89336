/**
 * Several processes share one SQLite file (the embedded default): they migrate the schema at
 * the same moment, elect exactly one leader, all agree on it, and after the leader closes (or
 * is killed) exactly one other takes over.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import type { SessionTiming } from '../../src/contract/index.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';

/** Short enough that the kill scenario ends in a few seconds. */
const TIMING: SessionTiming = { ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const SCRIPT = fileURLToPath(new URL('./contender-process.js', import.meta.url));
const COUNT = 4;

interface Contender {
  readonly nodeId: string;
  readonly child: ChildProcess;
  readonly events: { event: string; nodeId?: string; term?: number }[];
}

describe('several processes on one SQLite file', () => {
  let fixture: SqlFixture | undefined;
  const contenders: Contender[] = [];
  after(async () => {
    for (const c of contenders) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(contenders.map((c) => (c.child.exitCode !== null || c.child.signalCode !== null ? undefined : new Promise((r) => c.child.once('exit', r)))));
    await fixture?.teardown();
  });

  const leaders = () => contenders.flatMap((c) => c.events.filter((e) => e.event === 'leading').map((e) => ({ nodeId: c.nodeId, term: e.term ?? 0 })));
  const allObserved = (alive: Contender[], term: number) => alive.every((c) => c.events.some((e) => e.event === 'observed' && e.term === term));

  it('elect exactly one leader, and exactly one successor after it closes and after it is killed', async () => {
    fixture = await createSqliteFixture();
    // Start every process at once on an empty file: they race to migrate and to campaign.
    for (let i = 0; i < COUNT; i++) {
      const nodeId = `p${i}`;
      const child = fork(SCRIPT, [fixture.url, 'procs', nodeId, JSON.stringify(TIMING)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const contender: Contender = { nodeId, child, events: [] };
      child.on('message', (m) => contender.events.push(m as Contender['events'][number]));
      contenders.push(contender);
    }

    // 1. Exactly one leader, term 1, and every process reads that same leader.
    const first = await waitFor('a first leader', () => leaders()[0]);
    await waitFor('every process to see term 1', () => allObserved(contenders, 1));
    assert.deepEqual(leaders(), [{ nodeId: first.nodeId, term: 1 }]);
    for (const c of contenders) {
      const observed = c.events.filter((e) => e.event === 'observed').map((e) => e.nodeId);
      assert.deepEqual([...new Set(observed)], [first.nodeId], `${c.nodeId} saw another leader`);
    }

    // 2. Graceful close: exactly one successor, term 2, seen by every remaining process.
    const closing = contenders.find((c) => c.nodeId === first.nodeId) as Contender;
    closing.child.send('close');
    await waitFor('the leader to close', () => closing.events.some((e) => e.event === 'closed'));
    const alive = contenders.filter((c) => c !== closing);
    await waitFor('every remaining process to see term 2', () => allObserved(alive, 2));
    const second = leaders().filter((l) => l.term === 2);
    assert.equal(second.length, 1, `term 2 leaders: ${JSON.stringify(second)}`);

    // 3. Kill -9: exactly one successor at term 3 once the lease expired.
    const killed = alive.find((c) => c.nodeId === second[0]?.nodeId) as Contender;
    killed.child.kill('SIGKILL');
    const rest = alive.filter((c) => c !== killed);
    await waitFor('every remaining process to see term 3', () => allObserved(rest, 3), { timeoutMs: 20_000 });
    const third = leaders().filter((l) => l.term === 3);
    assert.equal(third.length, 1, `term 3 leaders: ${JSON.stringify(third)}`);
    assert.equal(leaders().length, 3, `leaders: ${JSON.stringify(leaders())}`);
  });
});
