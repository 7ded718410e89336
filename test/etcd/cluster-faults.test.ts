/**
 * A three-member etcd cluster under member faults. In every case: never two holders at once
 * (HoldMonitor), a holder whose member fails stops at once ('connection-lost'), its session
 * moves to another member and lives on, and the election has a holder again within the bound
 * (the old candidate is released at the last answered keep-alive + ttl at the latest).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend, Leadership, Session, SessionTiming } from '../../src/contract/index.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { LeadershipEndedError } from '../../src/errors.js';
import { ELECTION_TIMEOUT_MS, startEtcdCluster, type EtcdCluster, type EtcdMember } from '../support/etcd-fixture.js';
import { waitFor, waitForAbort, withTimeout } from '../support/wait.js';
import { HoldMonitor } from './hold-monitor.js';

/** Room for an etcd leader election (1-2 election timeouts) inside the local deadline. */
const TIMING: SessionTiming = Object.freeze({ ttlMs: 6_000, renewDeadlineMs: 4_000, retryPeriodMs: 400, pollIntervalMs: 200 });
/**
 * When the election must have a holder again after a fault: the old candidate goes at the last
 * answered keep-alive + ttl, and an etcd leader election may come first; plus scheduling slack.
 */
const SUCCESSOR_BOUND_MS = TIMING.ttlMs + TIMING.retryPeriodMs + 2 * ELECTION_TIMEOUT_MS + 3_000;

describe('etcd: three-member cluster faults', () => {
  let cluster: EtcdCluster;
  const backends: Backend[] = [];

  before(async () => {
    cluster = await startEtcdCluster(3, { ownUids: true });
  });
  after(async () => {
    await Promise.allSettled(backends.map((b) => b.close()));
    await cluster?.close();
  });

  /** A backend that talks to `first` as long as it answers (the others after it). */
  const openOn = async (first: EtcdMember, name: string) => {
    const endpoints = [first.endpoint, ...cluster.endpoints.filter((e) => e !== first.endpoint)];
    const backend = await createEtcdBackend({ endpoints, cluster: name });
    backends.push(backend);
    return backend;
  };

  /** Two nodes campaigning for one election: `a` leads through `home`, `b` waits through `other`. */
  const twoNodes = async (name: string, home: EtcdMember, other: EtcdMember) => {
    const a = await (await openOn(home, name)).openSession({ nodeId: 'a', info: {}, timing: TIMING });
    const b = await (await openOn(other, name)).openSession({ nodeId: 'b', info: {}, timing: TIMING });
    const monitor = new HoldMonitor();
    const first = await a.campaign('leader', {});
    monitor.add(first);
    const holders: Leadership[] = [first];
    const follow = (session: Session) => void keepCampaigning(session, monitor, holders);
    follow(b);
    return { a, b, first, monitor, holders, follow };
  };

  const followers = async () => {
    const leader = await cluster.leader();
    return cluster.members.filter((m) => m !== leader);
  };

  it('a member killed under the leader: its term ends at once, its session moves on, a holder again within the bound', async () => {
    const [home, other] = (await followers()) as [EtcdMember, EtcdMember];
    const { a, first, monitor, holders, follow } = await twoNodes('member-kill', home, other);
    await home.stop();
    const killedAt = performance.now();
    await waitForAbort('the term to end', first.signal, TIMING.renewDeadlineMs);
    assertEndedBy(first, 'connection-lost');
    await waitFor('a live again on another member', () => a.state === 'live', { timeoutMs: TIMING.renewDeadlineMs });
    follow(a);
    await waitFor('a holder again', () => holders.slice(1).some((t) => t.held()), { timeoutMs: SUCCESSOR_BOUND_MS });
    monitor.stop();
    assert.deepEqual(monitor.violations, []);
    assert.ok(performance.now() - killedAt < SUCCESSOR_BOUND_MS);
    home.start();
    await cluster.waitHealthy();
  });

  it('the etcd leader killed: never two holders, a holder again within the bound', async () => {
    const [home, other] = (await followers()) as [EtcdMember, EtcdMember];
    const { a, monitor, holders, follow } = await twoNodes('leader-kill', home, other);
    const leader = await cluster.leader();
    await leader.stop();
    follow(a);
    await waitFor('a new etcd leader', () => cluster.leader(), { timeoutMs: 10 * ELECTION_TIMEOUT_MS });
    await waitFor('a holder after the etcd leader change', () => holders.some((t) => t.held()), { timeoutMs: SUCCESSOR_BOUND_MS });
    monitor.stop();
    assert.deepEqual(monitor.violations, []);
    leader.start();
    await cluster.waitHealthy();
  });

  it('the etcd leader cut from its peers while the holder talks to it: the holder stops before the new etcd leader could expire its lease, one holder again', async () => {
    // The old etcd leader answers keep-alives from its own lease table until it steps down (one
    // to two election timeouts); the new leader restarts every lease's TTL plus one election
    // timeout when it takes over, so those answers stay true. The holder's term ends once the
    // keep-alives go unanswered or the stream ends (it asked for a leader).
    const leader = await cluster.leader();
    const other = cluster.members.find((m) => m !== leader) as EtcdMember;
    const { a, first, monitor, holders, follow } = await twoNodes('partition', leader, other);
    const cut = leader.cutFromPeers();
    try {
      await waitForAbort('the term to end', first.signal, TIMING.renewDeadlineMs * 2);
      assertEndedBy(first, 'connection-lost');
      await waitFor('a live again on another member', () => a.state === 'live', { timeoutMs: TIMING.renewDeadlineMs * 2 });
      follow(a);
      await waitFor('a holder again', () => holders.slice(1).some((t) => t.held()), { timeoutMs: SUCCESSOR_BOUND_MS });
    } finally {
      cut.heal();
    }
    monitor.stop();
    assert.deepEqual(monitor.violations, []);
    await cluster.waitHealthy();
  });

  it('the leader\'s member frozen (SIGSTOP): the term ends, the session moves on and leads again', async () => {
    const [home, other] = (await followers()) as [EtcdMember, EtcdMember];
    const { a, b, first, monitor, holders } = await twoNodes('frozen', home, other);
    await b.close(); // a alone: it must lead again through another member
    home.pause();
    try {
      await waitForAbort('the term to end', first.signal, TIMING.renewDeadlineMs * 2);
      assertEndedBy(first, 'connection-lost');
      await waitFor('a live again on another member', () => a.state === 'live', { timeoutMs: TIMING.renewDeadlineMs * 2 });
      const again = await withTimeout('a to lead again', a.campaign('leader', {}), SUCCESSOR_BOUND_MS);
      monitor.add(again);
      holders.push(again);
      assert.ok(again.term > first.term);
    } finally {
      home.resume();
    }
    monitor.stop();
    assert.deepEqual(monitor.violations, []);
    await cluster.waitHealthy();
  });
});

/** What an elector does: campaign, and after a term ends, campaign again, until the session ends. */
async function keepCampaigning(session: Session, monitor: HoldMonitor, holders: Leadership[]): Promise<void> {
  while (!session.lost.aborted) {
    try {
      const term = await session.campaign('leader', {});
      monitor.add(term);
      holders.push(term);
      await waitForAbort('the term to end', AbortSignal.any([term.signal, session.lost]), 24 * 3600_000);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100)); // the store is unreachable: try again shortly
    }
  }
}

function assertEndedBy(leadership: Leadership, expected: string): void {
  const reason = leadership.signal.reason as unknown;
  assert.ok(reason instanceof LeadershipEndedError && reason.reason === expected, `the term should have ended by ${expected}: ${String(reason)}`);
}
