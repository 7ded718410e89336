/**
 * `baton start` with a bucket count other than the cluster's (real processes, SQLite): it exits
 * with code 2 (a configuration error, as its help says) and says why, never "node started".
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliProcess, stopAllProcesses } from '../cli/cli-process.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';

describe('baton start refused by the cluster settings', () => {
  let fixture: SqlFixture;
  before(async () => {
    fixture = await createSqliteFixture();
  });
  after(async () => {
    await stopAllProcesses();
    await fixture?.teardown();
  });

  it('exits 2 naming both counts, and logs no "node started"', async () => {
    const common = ['--store', fixture.url, '--cluster', 'shop', '--http-port', '0', '--buckets-enabled'];
    const first = new CliProcess(['start', ...common, '--node-id', 'a', '--buckets-count', '64']);
    await first.waitForLine('the first node to start', (line) => line.includes('node started'));
    const second = new CliProcess(['start', ...common, '--node-id', 'b', '--buckets-count', '100']);
    const { code } = await second.exited;
    assert.equal(code, 2, second.stderr);
    assert.match(second.stderr, /buckets\.count: .*this node has 100, the cluster stores 64/);
    assert.ok(!second.lines.some((line) => line.includes('node started')), 'the refused node never said it started');
    assert.equal(first.child.exitCode, null, 'the running node is not disturbed');
  });
});
