/**
 * Issue 12, ZooKeeper: the requests a first campaign on an uncontended election sends. At a
 * cold start every bucket's campaign is such a campaign (10,000 of them over 10 nodes), so
 * each request it saves is saved 10,000 times. Counted at the connection (every request a
 * client sends but the session's own `sync` probes) on a real server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Session, SessionTiming } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import { ZkConnection } from '../../src/zk-client/zk-connection.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/** Slow probes: the session's own `sync` is not counted anyway. */
const TIMING: SessionTiming = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 500 });
/** Real time the standalone server may take to start, ms: startStandalone waits up to 45 s for the JVM. */
const START_TIMEOUT_MS = 60_000;

/** Records every request sent on any ZkConnection (but `sync`) as "what path", until restored. */
function recordRequests(): { readonly sent: string[]; readonly restore: () => void } {
  const sent: string[] = [];
  const proto = ZkConnection.prototype;
  const original = proto.call;
  proto.call = function (this: ZkConnection, what: string, path: string, ...rest: unknown[]) {
    if (what !== 'sync') sent.push(`${what} ${path}`);
    return (original as (...a: unknown[]) => Promise<unknown>).call(this, what, path, ...rest);
  } as typeof original;
  return { sent, restore: () => void (proto.call = original) };
}

describe('ZooKeeper: the first campaign on an uncontended election', () => {
  let zk: StandaloneZooKeeper;
  let backend: Backend;
  let session: Session;

  before(async () => {
    zk = await startStandalone();
    backend = await createZookeeperBackend({ connect: zk.connectString, cluster: 'first-campaign' });
    session = await backend.openSession({ nodeId: 'n1', info: {}, timing: TIMING });
  }, { timeout: START_TIMEOUT_MS });
  after(async () => {
    await backend?.close();
    await zk?.close();
  });

  it('on an election nobody campaigned for yet: the candidate\'s create (no election znode), the election znode and the candidate in one round trip, and the confirmation; no listing', async () => {
    const requests = recordRequests();
    try {
      const leadership = await session.campaign('fresh', {});
      const sent = [...requests.sent];
      assert.equal(leadership.held(), true);
      assert.deepEqual(sent.map((r) => r.split(' ')[0]), ['create', 'create', 'create', 'exists'], sent.join('\n'));
      await leadership.resign();
    } finally {
      requests.restore();
    }
  });

  it('on an election whose znode exists and nobody holds: one create, the listing and the confirmation sent together', async () => {
    await (await session.campaign('used', {})).resign();
    const requests = recordRequests();
    try {
      const leadership = await session.campaign('used', {});
      const sent = [...requests.sent];
      assert.equal(leadership.held(), true);
      assert.deepEqual(sent.map((r) => r.split(' ')[0]), ['create', 'getChildren', 'exists'], sent.join('\n'));
      await leadership.resign();
    } finally {
      requests.restore();
    }
  });
});
