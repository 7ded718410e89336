/**
 * Issue 18, ZooKeeper: a waiting candidate sleeps on the deletion watch of the candidate just
 * ahead of it (the recipe), with only a slow safety-net re-check, instead of listing the
 * election every pollIntervalMs. Every assertion counts the listings and existence checks sent
 * under the election's znode while a FakeClock drives the waiter's time; the server is real.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Leadership, SessionTiming } from '../../src/contract/index.js';
import { ZkClient, ZkLayout } from '../../src/backends/zookeeper/index.js';
import { campaign } from '../../src/backends/zookeeper/zk-campaign.js';
import { systemClock } from '../../src/clock.js';
import { FakeClock, flushMicrotasks } from '../../src/testing/fake-clock.js';
import { waitFor } from '../support/wait.js';
import { holderAndWaiter } from '../support/zookeeper-waiter.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/**
 * The waiter's timing. pollIntervalMs is short, so a waiter that re-checked at it would send
 * dozens of requests in the window; the window (WINDOW_MS) stays below retryPeriodMs, the
 * session's probe interval, so the fake clock never asks the session itself to do anything.
 */
const TIMING: SessionTiming = Object.freeze({ ttlMs: 20_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, pollIntervalMs: 50 });
/** How far the waiter's fake clock is driven at rest, in pollIntervalMs steps, ms. */
const WINDOW_MS = 1_500;
/** A new candidate's first look: the listing, the confirmation of its own candidate, the exists that watches its predecessor. */
const INITIAL_LOOK_REQUESTS = 3;
/** Real time the standalone server may take to start, ms: startStandalone waits up to 45 s for the JVM. */
const START_TIMEOUT_MS = 60_000;

/** Counts getChildren and exists calls on paths under `dir`, from any ZkClient, until restored. */
function countRequestsUnder(dir: string): { readonly count: () => number; readonly restore: () => void } {
  let count = 0;
  const proto = ZkClient.prototype;
  const originals = { getChildren: proto.getChildren, exists: proto.exists };
  proto.getChildren = function (this: ZkClient, path: string, ...rest: unknown[]) {
    if (path.startsWith(dir)) count++;
    return (originals.getChildren as (...a: unknown[]) => ReturnType<ZkClient['getChildren']>).call(this, path, ...rest);
  } as ZkClient['getChildren'];
  proto.exists = function (this: ZkClient, path: string, ...rest: unknown[]) {
    if (path.startsWith(dir)) count++;
    return (originals.exists as (...a: unknown[]) => ReturnType<ZkClient['exists']>).call(this, path, ...rest);
  } as ZkClient['exists'];
  return {
    count: () => count,
    restore: () => Object.assign(proto, originals),
  };
}

/** Drives `clock` forward by `totalMs` in `stepMs` steps, letting answers and wake-ups run between them. */
async function drive(clock: FakeClock, totalMs: number, stepMs: number): Promise<void> {
  for (let moved = 0; moved < totalMs; moved += stepMs) {
    await clock.advance(Math.min(stepMs, totalMs - moved));
    await flushMicrotasks();
  }
}

describe('ZooKeeper: a waiting campaign sleeps on its predecessor\'s watch', () => {
  let zk: StandaloneZooKeeper;
  const backends: Backend[] = [];
  const clients: ZkClient[] = [];

  before(async () => {
    zk = await startStandalone();
  }, { timeout: START_TIMEOUT_MS });
  after(async () => {
    await Promise.allSettled([...backends.map((b) => b.close()), ...clients.map((c) => c.close())]);
    await zk?.close();
  });

  it('at rest the waiter of a session sends nothing for many poll intervals; the holder\'s resign wakes it and it leads after one listing (its first look\'s confirmation still vouches for its candidate)', async () => {
    const cluster = 'waiter-requests';
    const { holder, clock, waiterSession } = await holderAndWaiter(zk.connectString, cluster, 'leader', TIMING, backends);

    const requests = countRequestsUnder(new ZkLayout(cluster).election('leader'));
    try {
      let won: Leadership | undefined;
      void waiterSession.campaign('leader', {}).then((l) => (won = l));
      // Its listing with the confirmation of its own candidate sent along (a new candidate may
      // well be first), then the exists that sets the watch on the holder's candidate; then it
      // sleeps. Two is too early: the clock's pending sleeps do not tell the campaign's apart
      // from the session's, and the watch's exists, sent once the listing is answered, would
      // then be counted at rest.
      await waitFor('the waiter to watch the holder\'s candidate', () => requests.count() >= INITIAL_LOOK_REQUESTS);
      await waitFor('the waiter to sleep', () => clock.pendingSleeps >= 2); // with the session's: all its requests are sent by now
      await flushMicrotasks();
      const atRest = requests.count();

      await drive(clock, WINDOW_MS, TIMING.pollIntervalMs);
      assert.equal(requests.count(), atRest, `the waiter re-checked within ${WINDOW_MS} ms at rest (poll interval ${TIMING.pollIntervalMs} ms)`);
      assert.equal(won, undefined);

      await holder.resign();
      const leading = await waitFor('the waiter to lead on the watch alone (its clock stands still)', () => won);
      assert.equal(requests.count(), atRest + 1, 'more than one listing after the watch fired (the confirmation kept from its first look vouches for its candidate)');
      assert.equal(leading.held(), true);
      await leading.resign();
    } finally {
      requests.restore();
    }
  });

  it('the safety net re-checks once per recheckMs, with one listing and one exists', async () => {
    const client = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: TIMING.ttlMs });
    const other = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: TIMING.ttlMs });
    clients.push(client, other);
    const layout = new ZkLayout('safety-net');
    const dir = layout.election('e');
    await other.mkdirs(dir);
    await other.create(`${dir}/n_`, Buffer.from('{}'), { mode: 'ephemeral_sequential' }); // a holder that never goes
    const recheckMs = 1_000;
    const clock = new FakeClock(1_000);
    const cleanups: Promise<void>[] = [];
    const stop = new AbortController();
    const requests = countRequestsUnder(dir);
    try {
      const waiting = campaign(
        { client, clock, election: 'e', dir, nodeId: 'w', info: {}, lost: stop.signal, recheckMs,
          host: { client, clock, lost: stop.signal, retryMs: TIMING.pollIntervalMs, onEnd: () => undefined, alive: () => true, releaseAt: () => systemClock.now(), cleanup: (_, work) => cleanups.push(work) },
          cleanup: (work) => cleanups.push(work) },
        { signal: stop.signal },
      );
      waiting.catch(() => undefined);
      await waitFor('the waiter to sleep on the holder\'s watch', () => clock.pendingSleeps >= 1);
      await flushMicrotasks();
      const atRest = requests.count();

      await drive(clock, recheckMs - 1, TIMING.pollIntervalMs);
      assert.equal(requests.count(), atRest, 'a re-check before recheckMs');
      await clock.advance(1);
      await waitFor('the re-check to set the watch again and sleep', () => requests.count() >= atRest + 2 && clock.pendingSleeps >= 1);
      await flushMicrotasks();
      assert.equal(requests.count(), atRest + 2, 'a re-check is one listing and one exists on the predecessor');
      stop.abort();
      await assert.rejects(waiting);
      await Promise.all(cleanups);
    } finally {
      requests.restore();
    }
  });
});
