import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatonProcesses } from '../support/baton-processes.js';
import { sqliteStore } from '../support/stores-under-test.js';
import { CliProcess, runCli } from './cli-process.js';

describe('baton leader', () => {
  const nodes = new BatonProcesses(sqliteStore('baton-watch-'));
  const POLL = ['--election-poll-interval-ms', '100'];
  /** Where the `baton leader` commands look: the nodes' store and cluster. */
  let store: string[] = [];
  before(async () => {
    await nodes.setUp();
    store = ['--store', nodes.url, '--cluster', 'watch', ...POLL];
  });
  after(() => nodes.tearDown());

  it('prints the leader once, and with --watch one line per change until SIGINT', async () => {
    const node = (await nodes.start('watch', 'w1', POLL)).proc;
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
