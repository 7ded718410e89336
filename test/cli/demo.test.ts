import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '../support/wait.js';
import { CliProcess, processAlive, stopAllProcesses } from './cli-process.js';

interface DemoEvent {
  readonly event: string;
  readonly nodeId?: string | null;
  readonly pid?: number;
  readonly leader?: string | null;
  readonly members?: string[];
}

describe('baton demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-demo-'));
  const pids = new Set<number>();
  after(async () => {
    await stopAllProcesses();
    for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a leader, fails over when the leader is killed, and stops every node on SIGINT', async () => {
    const demo = new CliProcess(['demo', '--nodes', '3', '--base-port', '0', '--kill-leader-every', '2s', '--json'], {}, { cwd: dir });
    const events = (): DemoEvent[] => demo.logs() as unknown as DemoEvent[];
    const firstView = await waitFor('a view with a leader and three members', () =>
      events().find((e) => e.event === 'view' && e.leader && e.members?.length === 3), { timeoutMs: 20_000 });
    const killed = await waitFor('the demo to kill the leader', () => events().find((e) => e.event === 'killing'), { timeoutMs: 20_000 });
    assert.equal(killed.nodeId, firstView.leader);
    await waitFor('another node to lead', () => events().find((e) => e.event === 'leader' && e.nodeId && e.nodeId !== killed.nodeId), { timeoutMs: 20_000 });
    await waitFor('the killed node to be restarted', () => events().some((e) => e.event === 'restarting' && e.nodeId === killed.nodeId));
    for (const e of events()) if (e.event === 'started' && typeof e.pid === 'number') pids.add(e.pid);
    assert.ok(pids.size >= 4, `three nodes and one restart, got ${pids.size} pids`);

    demo.signal('SIGINT');
    const { code } = await demo.exited;
    assert.equal(code, 0, demo.stderr);
    assert.ok(events().some((e) => e.event === 'stopped'));
    for (const pid of pids) assert.equal(processAlive(pid), false, `node process ${pid} is gone`);
  });
});
