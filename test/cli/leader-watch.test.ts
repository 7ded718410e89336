import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CliProcess, runCli, stopAllProcesses } from './cli-process.js';

describe('baton leader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-watch-'));
  const store = ['--store', `sqlite:${join(dir, 'baton.db')}`, '--cluster', 'watch', '--election-poll-interval-ms', '100'];
  after(async () => {
    await stopAllProcesses();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the leader once, and with --watch one line per change until SIGINT', async () => {
    const node = new CliProcess(['start', ...store, '--node-id', 'w1', '--http-port', '0']);
    await node.waitForLine('the node to lead', (l) => l.includes('"reason":"elected"'));
    const once = await runCli(['leader', '--json', ...store]);
    assert.equal(once.code, 0, once.stderr);
    assert.equal((JSON.parse(once.stdout) as { nodeId: string }).nodeId, 'w1');
    const human = await runCli(['leader', ...store]);
    assert.match(human.stdout, /^w1 {2}term \d+ {2}since /);

    const watch = new CliProcess(['leader', '--watch', '--json', ...store]);
    await watch.waitForLine('the current leader', (l) => l.includes('"nodeId":"w1"'));
    node.signal('SIGTERM');
    assert.equal((await node.exited).code, 0);
    await watch.waitForLine('the leader to be gone', (l) => l === 'null');
    watch.signal('SIGINT');
    assert.equal((await watch.exited).code, 0);
  });
});
