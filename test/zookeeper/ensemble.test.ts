/**
 * A three-server ensemble: a leader whose server dies or freezes stops acting at once (its term
 * ends: connection-lost) while its ZooKeeper session moves to another server within the timeout
 * and lives on, so it can lead again once its old candidate is released; losing quorum loses the
 * session by its local deadline; once quorum returns, a leader exists again.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Leadership, Session } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import { LeadershipEndedError } from '../../src/errors.js';
import { waitFor, waitForAbort, withTimeout } from '../support/wait.js';
import { fourLetterWord, startEnsemble, type ZooKeeperEnsemble, type ZooKeeperEnsembleMember } from '../support/zookeeper-fixture.js';

/** Long enough for a ZooKeeper leader election (tick 250 ms) to fit inside the deadline. */
const TIMING = Object.freeze({ ttlMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 400, pollIntervalMs: 250 });
const ELECTION = 'cluster-leader';

describe('ZooKeeper: three-server ensemble', () => {
  let ensemble: ZooKeeperEnsemble;
  const backends: Backend[] = [];

  before(async () => {
    ensemble = await startEnsemble(3);
  });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    await ensemble?.close();
  });

  const open = async () => {
    const backend = await createZookeeperBackend({ connect: ensemble.connectString, cluster: 'ensemble' });
    backends.push(backend);
    return backend;
  };

  /** The member whose `cons` lists the session (ZooKeeper prints ids without leading zeros). */
  const serverOf = async (session: Session): Promise<ZooKeeperEnsembleMember | undefined> => {
    const sid = `sid=0x${session.id.replace(/^0+/, '')}`;
    for (const member of ensemble.servers) {
      if (!member.running) continue;
      const port = Number(member.connectString.split(':')[1]);
      if ((await fourLetterWord(port, 'cons', 1_000)).includes(sid)) return member;
    }
    return undefined;
  };

  it('leaves a server that stops answering (frozen, socket open): the term ends, the session lives on and leads again', async () => {
    // Longer than the other test: a frozen ZooKeeper leader costs the ensemble an election too.
    const timing = { ttlMs: 10_000, renewDeadlineMs: 7_000, retryPeriodMs: 500, pollIntervalMs: 250 };
    const backend = await createZookeeperBackend({ connect: ensemble.connectString, cluster: 'frozen' });
    backends.push(backend);
    const session = await backend.openSession({ nodeId: 'f', info: { host: 'f' }, timing });
    const leadership = await session.campaign(ELECTION, { host: 'f' });
    const home = await waitFor("the leader's server", () => serverOf(session));
    home.pause();
    try {
      // The library alone would wait on the open socket forever; the probe's read timeout
      // drops it and the session moves on.
      await waitFor('the session on another server', async () => {
        const now = await serverOf(session);
        return now !== undefined && now.id !== home.id;
      }, { timeoutMs: timing.renewDeadlineMs * 2, intervalMs: 200 });
      await waitFor('the session live again', () => session.state === 'live', { timeoutMs: timing.ttlMs });
      assertEndedBy(leadership, 'connection-lost');
    } finally {
      home.resume();
    }
    const again = await withTimeout('the same session to lead again', session.campaign(ELECTION, { host: 'f' }), timing.ttlMs * 2);
    assert.ok(again.term > leadership.term);
    await ensemble.waitServing(3);
    await session.close();
  });

  it('the session survives the loss of its server (its term does not), is lost without quorum, recovers with it', async () => {
    const a = await open();
    const observer = await open();
    const session = await a.openSession({ nodeId: 'a', info: { host: 'a' }, timing: TIMING });
    const leadership = await session.campaign(ELECTION, { host: 'a' });

    // 1. Stop the server the leader's session is connected to: the term ends at once, the
    // session moves and leads again once its old candidate is released (lastHeardAt + ttl).
    const home = await waitFor("the leader's server", () => serverOf(session));
    await home.stop();
    const moved = await waitFor('the session on another server', async () => {
      const now = await serverOf(session);
      return now !== undefined && now.id !== home.id ? now : undefined;
    }, { timeoutMs: TIMING.ttlMs });
    assert.notEqual(moved.id, home.id);
    await waitFor('the session live again', () => session.state === 'live', { timeoutMs: TIMING.ttlMs });
    assertEndedBy(leadership, 'connection-lost');
    const again = await withTimeout('the same session to lead again', session.campaign(ELECTION, { host: 'a' }), TIMING.ttlMs * 2);
    const seen = await waitFor('leader() through the ensemble', async () => {
      const record = await observer.leader(ELECTION);
      return record?.term === again.term ? record : undefined;
    }, { timeoutMs: TIMING.ttlMs });
    assert.equal(seen.nodeId, 'a');

    // 2. Stop a second server: no quorum, nobody can confirm the session: the leader stops at
    // once, and the session is lost by its local deadline.
    await moved.stop();
    await waitForAbort('the term to end without quorum', again.signal, TIMING.ttlMs * 2);
    assertEndedBy(again, 'connection-lost');
    await waitForAbort('the session to be lost without quorum', session.lost, TIMING.ttlMs * 2);
    assert.equal(session.state, 'lost');

    // 3. Quorum returns: the node opens a new session and campaigns again (as its elector
    // would); a leader exists again.
    home.start();
    moved.start();
    await ensemble.waitServing(3);
    const next = await waitFor('a new term once quorum is back', () => campaignOnce(a), { timeoutMs: TIMING.ttlMs * 4, intervalMs: TIMING.retryPeriodMs });
    assert.ok(next.term > leadership.term, `term ${next.term} after ${leadership.term}`);
    const current = await waitFor('leader() after recovery', () => observer.leader(ELECTION), { timeoutMs: TIMING.ttlMs });
    assert.equal(current.term, next.term);
  });
});

function assertEndedBy(leadership: Leadership, expected: string): void {
  const reason = leadership.signal.reason as unknown;
  assert.ok(reason instanceof LeadershipEndedError && reason.reason === expected, `the term should have ended by ${expected}: ${String(reason)}`);
}

/** One try at what an elector does after a lost session: open a new one and campaign. */
async function campaignOnce(backend: Backend): Promise<Leadership | undefined> {
  const session = await backend.openSession({ nodeId: 'a', info: { host: 'a' }, timing: TIMING });
  try {
    return await session.campaign(ELECTION, { host: 'a' }, { signal: AbortSignal.timeout(TIMING.ttlMs * 2) });
  } catch (error) {
    await session.close();
    throw error;
  }
}
