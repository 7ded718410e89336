/**
 * SubtreeWatch's retries (src/backends/zookeeper/zk-subtree-watch.ts): every failed call of a
 * level sleeps `retryMs` before arming again, one sleep per failed child, all at once. Those
 * sleeps listened on the watch's own signal, so a level of 50 children (a 50-node cluster's
 * members) put 50 listeners on it: MaxListenersExceededWarning. They now sleep on the watch's
 * fan-out signal, and each sleep removes its listener when it ends.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { SubtreeWatch } from '../../../src/backends/zookeeper/zk-subtree-watch.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import type { ZkClient } from '../../../src/zk-client/zk-client.js';
import { ZooKeeperError } from '../../../src/zk-client/zookeeper-error.js';

const CHILDREN = 50;

/** A client whose root lists CHILDREN children, each of whose `exists` fails `failures` times. */
function flakyClient(failures: number): { client: ZkClient; calls: () => number } {
  let calls = 0;
  const failed = new Map<string, number>();
  const client = {
    exists: (path: string) => {
      calls += 1;
      if (path === '/root') return Promise.resolve({ ephemeralOwner: undefined });
      const count = failed.get(path) ?? 0;
      if (count >= failures) return Promise.resolve({ ephemeralOwner: undefined });
      failed.set(path, count + 1);
      return Promise.reject(new ZooKeeperError('CONNECTION_LOSS', `lost ${path}`, { path }));
    },
    getChildren: (path: string) => Promise.resolve(path === '/root' ? Array.from({ length: CHILDREN }, (_, i) => `n${i}`) : []),
    removeWatcher: () => undefined,
  };
  return { client: client as unknown as ZkClient, calls: () => calls };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('SubtreeWatch retries', () => {
  it('keeps the watch signal at its own listeners while 50 failed calls wait to retry, and after 5 rounds of retries', async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    const { client, calls } = flakyClient(5);
    const watch = new SubtreeWatch({ client: () => client, root: '/root', depth: 2, listener: () => undefined, signal: stop.signal, clock, retryMs: 100 });
    watch.start();
    await settle();
    const baseline = getEventListeners(stop.signal, 'abort').length;
    assert.equal(clock.pendingSleeps, CHILDREN, 'every child waits to retry');
    assert.ok(baseline <= 3, `the watch signal carries ${baseline} listeners while ${CHILDREN} retries wait`);
    for (let round = 0; round < 5; round++) {
      await clock.advance(100);
      await settle();
      assert.ok(getEventListeners(stop.signal, 'abort').length <= baseline);
    }
    assert.equal(clock.pendingSleeps, 0, 'every child armed in the end');
    assert.ok(calls() > CHILDREN * 5);
    stop.abort();
  });
});
