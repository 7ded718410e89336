/**
 * Issue 18, ZooKeeper graceful handoff: what a waiting campaign sends between its predecessor's
 * deletion and leading. The recipe's waiter sends one listing; baton's sent the listing and an
 * `exists` confirming its own candidate (CURATOR-696), pipelined but one request and often one
 * socket read more on the handoff's path. A confirmation kept from the waiter's first look
 * vouches for the candidate as long as its watch saw nothing on the same connection
 * (zk-campaign.ts, stillConfirmed), so the handoff is the listing alone. Every request of the
 * waiter's session is counted where all of them go out (ZkConnection.call, the probe's `sync`
 * included) while a FakeClock holds the waiter's time still; the server is real.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Leadership, SessionTiming } from '../../src/contract/index.js';
import { ZkClient, ZkLayout } from '../../src/backends/zookeeper/index.js';
import { ZkConnection } from '../../src/zk-client/zk-connection.js';
import { flushMicrotasks } from '../../src/testing/fake-clock.js';
import { waitFor } from '../support/wait.js';
import { holderAndWaiter } from '../support/zookeeper-waiter.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/** The waiter's timing: its fake clock never reaches retryPeriodMs, so its session sends no probe. */
const TIMING: SessionTiming = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 50 });
/** A new candidate's first look: the listing, the confirmation of its own candidate, the exists that watches its predecessor. */
const INITIAL_LOOK_REQUESTS = 3;
/** Real time the standalone server may take to start, ms: startStandalone waits up to 45 s for the JVM. */
const START_TIMEOUT_MS = 60_000;

/** Records every request sent on the connection of ZooKeeper session `sessionId` ("what path"), until restored. */
function recordRequests(sessionId: string): { readonly sent: string[]; readonly restore: () => void } {
  const sent: string[] = [];
  const proto = ZkConnection.prototype;
  const original = proto.call;
  proto.call = function (this: ZkConnection, what: string, path: string, ...rest: unknown[]) {
    if (this.sessionId === sessionId) sent.push(`${what} ${path}`);
    return (original as (...a: unknown[]) => Promise<unknown>).call(this, what, path, ...rest);
  } as typeof original;
  return { sent, restore: () => (proto.call = original) };
}

describe('ZooKeeper: a graceful handoff costs the waiter one request', () => {
  let zk: StandaloneZooKeeper;
  const backends: Backend[] = [];

  before(async () => {
    zk = await startStandalone();
  }, { timeout: START_TIMEOUT_MS });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    await zk?.close();
  });

  it('between its predecessor\'s delete and leading, the waiter sends the listing of the election and nothing else', async () => {
    const cluster = 'handoff-requests';
    const { holder, clock, waiterSession } = await holderAndWaiter(zk.connectString, cluster, 'leader', TIMING, backends);
    const dir = new ZkLayout(cluster).election('leader');

    const requests = recordRequests(waiterSession.id);
    try {
      let won: Leadership | undefined;
      void waiterSession.campaign('leader', {}).then((l) => (won = l));
      await waitFor('the waiter to watch the holder\'s candidate', () => requests.sent.filter((r) => r.startsWith('exists')).length >= 2);
      await waitFor('the waiter to sleep', () => clock.pendingSleeps >= 2); // with the session's probe loop
      await flushMicrotasks();
      const look = requests.sent.filter((r) => !r.startsWith('create'));
      assert.deepEqual(look, [`getChildren ${dir}`, `exists ${look[1]?.slice('exists '.length)}`, `exists ${look[2]?.slice('exists '.length)}`], 'its first look');
      assert.equal(look.length, INITIAL_LOOK_REQUESTS);
      const atRest = requests.sent.length;

      await holder.resign(); // answered after the server deleted the candidate and fired the waiter's watch
      const leading = await waitFor('the waiter to lead on the watch alone (its clock stands still)', () => won);
      assert.deepEqual(requests.sent.slice(atRest), [`getChildren ${dir}`], 'the waiter\'s requests between its predecessor\'s delete and leading');
      assert.equal(leading.held(), true);
      assert.equal(leading.fence.term > holder.fence.term, true, 'the new term is above the old one');

      // The term watches its candidate through the kept confirmation's watch: deleted behind its back, it ends.
      const ended = new Promise<void>((resolve) => leading.signal.addEventListener('abort', () => resolve(), { once: true }));
      const operator = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: TIMING.ttlMs });
      try {
        for (const child of await operator.getChildren(dir)) await operator.delete(`${dir}/${child}`);
      } finally {
        await operator.close();
      }
      await ended;
      assert.equal(leading.held(), false);
    } finally {
      requests.restore();
    }
  });
});
