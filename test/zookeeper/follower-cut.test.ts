/**
 * Issue 10 case 1: a holder connected to a follower that is cut from its quorum (silently: its
 * packets to the peers are dropped, its clients still answered). The follower keeps answering
 * reads until it notices (about syncLimit * tickTime), while the ensemble leader stops hearing the
 * session and expires it after ttlMs; another node then wins. The holder must have stopped by
 * then: its liveness probe must be answered by the quorum, not by the follower alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import { healAll } from '../support/peer-cut.js';
import { waitForAbort, withTimeout } from '../support/wait.js';
import { startEnsemble, TICK_MS, type ZooKeeperEnsemble } from '../support/zookeeper-fixture.js';

/**
 * ZooKeeper's syncLimit for this ensemble, ticks: a cut follower serves reads for about
 * SYNC_LIMIT * TICK_MS (10 s) before it gives up on the leader, far longer than the ttl below,
 * so a probe a follower alone can answer would keep the holder "alive" long after its session
 * expired on the leader.
 */
const SYNC_LIMIT = 40;
/** Session timing, ms: ttl well below SYNC_LIMIT * TICK_MS so the window is wide open. */
const TIMING = Object.freeze({ ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 300, pollIntervalMs: 100 });
/** How long the contender may take to win once the holder's session expired, ms. */
const TAKEOVER_MS = TIMING.ttlMs * 4;

describe('ZooKeeper: a holder whose follower is cut from the quorum', () => {
  let ensemble: ZooKeeperEnsemble;
  const backends: Backend[] = [];

  before(async () => {
    assert.ok(SYNC_LIMIT * TICK_MS > 3 * TIMING.ttlMs, 'the follower must outlive the session by far');
    ensemble = await startEnsemble(3, { syncLimit: SYNC_LIMIT, ownUids: true });
  });
  after(async () => {
    healAll();
    await Promise.allSettled(backends.map((b) => b.close()));
    await ensemble?.close();
  });

  const open = async (connect: string) => {
    const backend = await createZookeeperBackend({ connect, cluster: 'follower-cut' });
    backends.push(backend);
    return backend;
  };

  it('stops acting before the contender on the quorum side can win', async () => {
    const modes = await Promise.all(ensemble.servers.map((m) => m.mode()));
    const follower = ensemble.servers[modes.indexOf('follower')];
    assert.ok(follower, `no follower among ${modes.join(', ')}`);
    const elsewhere = ensemble.servers.filter((m) => m !== follower).map((m) => m.connectString).join(',');
    const a = await open(follower.connectString); // exactly the follower: nowhere else to go
    const b = await open(elsewhere);
    const sa = await a.openSession({ nodeId: 'a', info: {}, timing: TIMING });
    const sb = await b.openSession({ nodeId: 'b', info: {}, timing: TIMING });
    const held = await sa.campaign('leader', {});
    // Acting intervals on one clock (this process's performance.now()).
    let aStopped = Number.POSITIVE_INFINITY;
    held.signal.addEventListener('abort', () => (aStopped = performance.now()), { once: true });

    const cut = follower.cutFromPeers();
    try {
      const won = await withTimeout('the contender to win', sb.campaign('leader', {}), TAKEOVER_MS);
      const bStarted = performance.now();
      const aStillHeld = held.held();
      if (aStillHeld || aStopped > bStarted) {
        await waitForAbort('the old holder to stop at last', held.signal, SYNC_LIMIT * TICK_MS * 2).catch(() => undefined);
        assert.fail(`both led at once: the contender won while the holder still acted (the holder stopped ${Math.round(aStopped - bStarted)} ms later)`);
      }
      assert.ok(won.held());
    } finally {
      cut.heal();
    }
  });
});
