import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_TIMING } from '../../src/contract/timing.js';
import { waitFor } from '../support/wait.js';
import { CLI, CliProcess, processAlive, stopAllProcesses } from './cli-process.js';

interface DemoEvent {
  readonly event: string;
  readonly nodeId?: string | null;
  readonly pid?: number;
  readonly members?: string[];
  readonly demo?: { ttlMs: number };
  readonly production?: { ttlMs: number };
}

/** Generous: a node closes gracefully within its TTL (6 s), and the machine may be loaded. */
const GONE_WITHIN_MS = 30_000;

describe('baton demo ends cleanly, whatever ends it', () => {
  const dirs: string[] = [];
  const pids = new Set<number>();
  const freshDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-demo-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    await stopAllProcesses();
    for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const nodePids = (events: DemoEvent[]): number[] => events.flatMap((e) => (e.event === 'started' && typeof e.pid === 'number' ? [e.pid] : []));
  const allGone = (what: string, list: number[]) =>
    waitFor(what, () => list.every((pid) => !processAlive(pid)), { timeoutMs: GONE_WITHIN_MS, intervalMs: 100 });

  async function runningDemo(dir: string, nodes = 2): Promise<{ demo: CliProcess; events: () => DemoEvent[] }> {
    const demo = new CliProcess(['demo', '--nodes', String(nodes), '--base-port', '0', '--json'], {}, { cwd: dir });
    const events = (): DemoEvent[] => demo.logs() as unknown as DemoEvent[];
    await waitFor(`a view with ${nodes} members`, () => events().some((e) => e.event === 'view' && e.members?.length === nodes), { timeoutMs: 30_000 });
    for (const pid of nodePids(events())) pids.add(pid);
    return { demo, events };
  }

  it('piped into head: the demo and every node are gone once head has its lines (EPIPE)', async () => {
    const dir = freshDir();
    // starting, timing, features, started node-1, started node-2: the pids are in the lines head keeps.
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" demo --nodes 2 --base-port 0 --json | head -n 5`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => shell.once('exit', (c) => resolve(c)));
    const events = out.trim().split('\n').map((line) => JSON.parse(line) as DemoEvent);
    const demoPid = events.find((e) => e.event === 'starting')?.pid;
    const started = nodePids(events);
    assert.equal(typeof demoPid, 'number', out);
    assert.equal(started.length, 2, out);
    for (const pid of [demoPid as number, ...started]) pids.add(pid);
    assert.equal(code, 0);
    await allGone('the demo and its nodes to exit after head closed the pipe', [demoPid as number, ...started]);
  });

  it('prints the timing in use beside the production defaults', async () => {
    const { demo, events } = await runningDemo(freshDir(), 1);
    const timing = events().find((e) => e.event === 'timing');
    assert.equal(timing?.demo?.ttlMs, 6000);
    assert.equal(timing?.production?.ttlMs, DEFAULT_TIMING.ttlMs);
    assert.ok(demo.lines.some((l) => l.includes('"production"')));
    demo.signal('SIGINT');
    assert.equal((await demo.exited).code, 0, demo.stderr);
  });

  it('SIGHUP (the terminal closed) stops the demo and every node', async () => {
    const { demo, events } = await runningDemo(freshDir());
    demo.signal('SIGHUP');
    const { code } = await demo.exited;
    assert.equal(code, 0, demo.stderr);
    await allGone('the nodes to exit after SIGHUP', nodePids(events()));
  });

  it('the demo killed with SIGKILL: its nodes see their channel close and exit on their own', async () => {
    const { demo, events } = await runningDemo(freshDir());
    const started = nodePids(events());
    demo.signal('SIGKILL');
    await demo.exited;
    await allGone('the nodes to exit after the demo was killed', started);
  });

  it('refuses to start over a running demo\'s store, and leaves that demo running', async () => {
    const dir = freshDir();
    const { demo, events } = await runningDemo(dir, 1);
    const second = new CliProcess(['demo', '--nodes', '1', '--base-port', '0', '--json'], {}, { cwd: dir });
    const { code } = await second.exited;
    assert.equal(code, 1);
    assert.match(second.stderr, new RegExp(`another baton demo \\(pid ${demo.pid}\\) is running`));
    assert.equal(nodePids(second.logs() as unknown as DemoEvent[]).length, 0, 'the second demo started no node');
    for (const pid of nodePids(events())) assert.ok(processAlive(pid), `the first demo's node ${pid} still runs`);
    const seen = events().length;
    await waitFor('the first demo to keep reporting', () => events().length > seen, { timeoutMs: 30_000 });
    demo.signal('SIGINT');
    assert.equal((await demo.exited).code, 0, demo.stderr);
  });
});
