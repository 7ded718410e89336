/**
 * The membership watch the placement leader relies on (issue 10, case 9), against a real
 * ZooKeeper: a member that joins while the watch is still being set (its one-shot child watch
 * takes a round trip behind the root's `exists`) must still be announced, because the reader
 * started reading as soon as `watchMembers` returned and may have read before the join.
 *
 * The delay is injected, not hoped for: the watch's client holds its watched `getChildren` at a
 * gate until the test has read the members and a new member has joined.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ZkClient, type WatchCallOptions } from '../../src/zk-client/zk-client.js';
import { SubtreeWatch } from '../../src/backends/zookeeper/zk-subtree-watch.js';
import { systemClock } from '../../src/clock.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/** Session timeout of the test clients, ms: above the server's minimum. */
const SESSION_MS = 4_000;

/** A client whose watched `getChildren` waits at a gate the test opens; everything else passes through. */
function gatedClient(real: ZkClient): { client: ZkClient; reached: Promise<void>; open: () => void } {
  let reach!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const gate = new Promise<void>((resolve) => (open = resolve));
  const getChildren = async (path: string, options: WatchCallOptions = {}): Promise<string[]> => {
    if (options.watch !== undefined) {
      reach();
      await gate;
    }
    return real.getChildren(path, options);
  };
  // Methods run on the real client (its private fields are not reachable through the proxy).
  const client = new Proxy(real, {
    get: (target, key) => {
      if (key === 'getChildren') return getChildren;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { client, reached, open };
}

describe('ZooKeeper member watch (real server, injected delay)', () => {
  let zk: StandaloneZooKeeper;
  const clients: ZkClient[] = [];
  const connect = async () => {
    const client = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: SESSION_MS });
    clients.push(client);
    return client;
  };

  before(async () => {
    zk = await startStandalone();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await zk?.close();
  });

  it('announces a member that joined between the reader\'s read and the arming of the child watch', async () => {
    const watcher = await connect();
    const joiner = await connect();
    await watcher.mkdirs('/members');
    await joiner.create('/members/n1', Buffer.from('{}'), { mode: 'ephemeral' });
    const { client, reached, open } = gatedClient(watcher);
    let hints = 0;
    const stop = new AbortController();
    const watch = new SubtreeWatch({ client: () => client, root: '/members', depth: 1, listener: () => hints++, signal: stop.signal, clock: systemClock, retryMs: 1_000 });
    try {
      // 1. The watch is registered; its exists() went through, its child watch waits at the gate.
      watch.start();
      await withTimeout('the child watch at the gate', reached, 5_000);
      // 2. The reader (the placement pass) reads now and sees n1 only; then n2 joins.
      assert.deepEqual(await watcher.getChildren('/members'), ['n1']);
      await joiner.create('/members/n2', Buffer.from('{}'), { mode: 'ephemeral' });
      // 3. The child watch is set; the reader must be told to read again, or n2 stays unseen.
      open();
      await waitFor('a hint after n2 joined while the watch was being set', () => hints > 0, { timeoutMs: 5_000 });
    } finally {
      open();
      stop.abort();
    }
  });
});
