/**
 * Issue 10 case 4 (ZooKeeper): a holder process frozen (SIGSTOP) for longer than its ttl, while
 * another node takes over, must answer "not held" at the very first synchronous question after
 * SIGCONT, before its deadline timer had a chance to run. Real standalone server, real processes.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Backend, SessionTiming } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { killChild } from '../support/child-process.js';

const TIMING: SessionTiming = { ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 300, pollIntervalMs: 100 };
const SCRIPT = fileURLToPath(new URL('./frozen-holder-process.js', import.meta.url));

type Event = { event: string; term?: number; held?: boolean; gapMs?: number; reason?: string };

describe('ZooKeeper leader process frozen with SIGSTOP', () => {
  let zk: StandaloneZooKeeper;
  let child: ChildProcess | undefined;
  let backend: Backend | undefined;

  before(async () => {
    zk = await startStandalone();
  });
  after(async () => {
    await killChild(child);
    await backend?.close().catch(() => undefined);
    await zk?.close();
  });

  it('answers "not held" first thing after resuming, while another node leads', async () => {
    const events: Event[] = [];
    child = fork(SCRIPT, [zk.connectString, JSON.stringify(TIMING)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => events.push(m as Event));
    const leading = await waitFor('the child to lead', () => events.find((e) => e.event === 'leading'), { timeoutMs: 20_000 });

    backend = await createZookeeperBackend({ connect: zk.connectString, cluster: 'sigstop' });
    const session = await backend.openSession({ nodeId: 'b', info: {}, timing: TIMING });
    const campaign = session.campaign('leader', {});
    child.kill('SIGSTOP');
    const successor = await withTimeout('b to lead while the child is frozen', campaign, TIMING.ttlMs * 4);
    assert.ok(successor.term > (leading.term ?? Infinity));
    child.kill('SIGCONT');

    const resumed = await waitFor('the child to report its first answer after the freeze', () => events.find((e) => e.event === 'resumed'), { timeoutMs: 20_000 });
    // The freeze outlasted the deadline (the successor won only after the server expired the
    // child's session, at least ttlMs after the child's last successful probe).
    assert.ok((resumed.gapMs ?? 0) > TIMING.renewDeadlineMs, `frozen for ${resumed.gapMs} ms only`);
    assert.equal(resumed.held, false, `the resumed holder said it still held the term while b led (frozen ${resumed.gapMs} ms)`);
    assert.ok(successor.held());
    child.send('close');
  });
});
