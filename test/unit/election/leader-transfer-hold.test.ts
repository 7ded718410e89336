/**
 * The leader-transfer hold's bounds on a fake clock (memory store): the old leader waits for the
 * others to stand by, or one retry period at most; a target that never takes the leadership holds
 * the others off for TRANSFER_HOLD_PERIODS retry periods, then a normal election fills the gap.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DEFAULT_TIMING, type Session } from '../../../src/contract/index.js';
import { LeaderTransferHold, STAND_BY_WAIT_PERIODS, TRANSFER_HOLD_PERIODS } from '../../../src/election/index.js';
import { readLeaderTransfer, writeLeaderTransfer } from '../../../src/operations/index.js';
import { ElectorCluster, type ElectorNode } from './elector-fixture.js';

describe('LeaderTransferHold on a fake clock', () => {
  let cluster = new ElectorCluster();
  const holds: LeaderTransferHold[] = [];
  let idle: Session | null = null;
  afterEach(async () => {
    for (const hold of holds.splice(0)) hold.stop();
    await idle?.close();
    idle = null;
    await cluster.close();
    cluster = new ElectorCluster();
  });

  /** A node whose elector follows the transfer request. */
  async function node(nodeId: string): Promise<ElectorNode> {
    const hold = new LeaderTransferHold({ backend: cluster.store.backend('test'), nodeId, clock: cluster.clock, timing: DEFAULT_TIMING });
    holds.push(hold);
    const made = await cluster.node(nodeId, false, hold);
    made.elector.on('leader', (leader) => leader && hold.termSeen(leader.term));
    made.elector.on('acquired', (held) => void hold.acquired(held.token, held.fence));
    hold.start();
    made.elector.start();
    await cluster.settle();
    return made;
  }

  const leaders = (nodes: readonly ElectorNode[]) => nodes.filter((n) => n.elector.isLeader()).map((n) => n.recorded.started.at(-1));

  it('to a named node: the others stand by, the leader steps down at once, the target wins the next term', async () => {
    const [a, b, c] = [await node('a'), await node('b'), await node('c')];
    const term = a.elector.leadership()!.term;
    await writeLeaderTransfer(a.backend.kv, { to: 'c', toSession: null, from: 'a', fromTerm: term, by: 'test', reason: 'operator' });
    await cluster.settle();
    assert.deepEqual(a.recorded.reasons, ['moved']);
    assert.deepEqual(c.recorded.started, [{ term: term + 1, at: 0 }], 'the target won at once, before any wait');
    assert.equal(b.recorded.started.length, 0);
    // The request is over: everyone campaigns again; c keeps leading.
    await cluster.clock.advance(DEFAULT_TIMING.retryPeriodMs * (TRANSFER_HOLD_PERIODS + 1));
    assert.deepEqual(leaders([a, b, c]), [{ term: term + 1, at: 0 }]);
  });

  it('a target that has just stepped down itself campaigns at once, without the retry period\'s wait', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const term = a.elector.leadership()!.term;
    await writeLeaderTransfer(a.backend.kv, { to: 'b', toSession: null, from: 'a', fromTerm: term, by: 'test', reason: 'operator' });
    await cluster.settle();
    assert.deepEqual(b.recorded.started, [{ term: term + 1, at: 0 }]);
    // a is inside its retry period after stepping down; moved straight back to it:
    await writeLeaderTransfer(a.backend.kv, { to: 'a', toSession: null, from: 'b', fromTerm: term + 1, by: 'test', reason: 'operator' });
    await cluster.settle();
    assert.deepEqual(a.recorded.started.at(-1), { term: term + 2, at: 0 }, 'a waited for its retry period');
  });

  it('a contender that never stands by delays the leader by one retry period at most', async () => {
    const a = await node('a');
    const c = await node('c');
    // A live member that runs no elector (so never stands by): the leader waits for it.
    idle = await cluster.store.backend('test').openSession({ nodeId: 'x', info: {}, timing: DEFAULT_TIMING });
    const term = a.elector.leadership()!.term;
    await writeLeaderTransfer(a.backend.kv, { to: 'c', toSession: null, from: 'a', fromTerm: term, by: 'test', reason: 'operator' });
    await cluster.settle();
    assert.ok(a.elector.isLeader(), 'stepped down before the others stood by');
    await cluster.clock.advance(STAND_BY_WAIT_PERIODS * DEFAULT_TIMING.retryPeriodMs - 1);
    assert.ok(a.elector.isLeader());
    await cluster.clock.advance(1);
    assert.equal(c.recorded.started.at(-1)?.term, term + 1);
  });

  it('a target that never takes it: the others hold off for TRANSFER_HOLD_PERIODS retry periods, then a normal election', async () => {
    const [a, b] = [await node('a'), await node('b')];
    // c is a live member whose elector does not run: it never campaigns.
    idle = await cluster.store.backend('test').openSession({ nodeId: 'c', info: {}, timing: DEFAULT_TIMING });
    const term = a.elector.leadership()!.term;
    await writeLeaderTransfer(a.backend.kv, { to: 'c', toSession: null, from: 'a', fromTerm: term, by: 'test', reason: 'operator' });
    await cluster.settle();
    assert.deepEqual(a.recorded.reasons, ['moved'], 'b stood by, so a stepped down at once');
    const holdMs = TRANSFER_HOLD_PERIODS * DEFAULT_TIMING.retryPeriodMs;
    await cluster.clock.advance(holdMs - 1);
    assert.deepEqual(leaders([a, b]), [], 'someone led while the request held');
    await cluster.clock.advance(1);
    const next = leaders([a, b]);
    assert.equal(next.length, 1, 'nobody leads after the hold');
    assert.equal(next[0]?.term, term + 1);
  });

  it('a node that wins before it has read a pending request still marks it ended', async () => {
    const a = await node('a');
    const held = a.elector.leadership()!;
    await writeLeaderTransfer(a.backend.kv, { to: null, toSession: null, from: 'gone', fromTerm: held.term - 1, by: 'test', reason: 'operator' });
    // A hold that has not read the request yet (never started) is told its node won the term.
    const unread = new LeaderTransferHold({ backend: a.backend, nodeId: 'a', clock: cluster.clock, timing: DEFAULT_TIMING });
    holds.push(unread);
    await unread.acquired(held.term, held.fence);
    assert.deepEqual((await readLeaderTransfer(a.backend.kv))?.request.ended, { nodeId: 'a', term: held.term });
  });

  it('a target that is not a live member holds nobody', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const term = a.elector.leadership()!.term;
    await writeLeaderTransfer(a.backend.kv, { to: 'gone', toSession: null, from: 'a', fromTerm: term, by: 'test', reason: 'operator' });
    await cluster.settle();
    assert.ok(a.elector.isLeader());
    assert.deepEqual(a.recorded.reasons, []);
    assert.equal(b.recorded.started.length, 0);
  });
});
