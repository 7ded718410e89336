/**
 * `baton start` with a bucket count other than the cluster's (real processes, SQLite): it exits
 * with code 2 (a configuration error, as its help says) and says why, never "node started".
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatonProcesses } from '../support/baton-processes.js';
import { sqliteStore } from '../support/stores-under-test.js';

describe('baton start refused by the cluster settings', () => {
  const nodes = new BatonProcesses(sqliteStore());
  before(() => nodes.setUp());
  after(() => nodes.tearDown());

  it('exits 2 naming both counts, and logs no "node started"', async () => {
    const first = (await nodes.start('shop', 'a', ['--buckets-enabled', '--buckets-count', '64'])).proc;
    const second = nodes.spawn('shop', 'b', ['--buckets-enabled', '--buckets-count', '100']);
    const { code } = await second.exited;
    assert.equal(code, 2, second.stderr);
    assert.match(second.stderr, /buckets\.count: .*this node has 100, the cluster stores 64/);
    assert.ok(!second.lines.some((line) => line.includes('node started')), 'the refused node never said it started');
    assert.equal(first.child.exitCode, null, 'the running node is not disturbed');
  });
});
