import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LeaderKiller, tickEvery, type LeaderSeen } from '../../../src/cli/demo/fault-timer.js';
import { FakeClock, flushMicrotasks } from '../../../src/testing/fake-clock.js';

describe('demo fault timer', () => {
  it('ticks at a fixed rate: start + k * every, whatever the ticks did', async () => {
    const clock = new FakeClock(1000);
    const stop = new AbortController();
    const at: number[] = [];
    const running = tickEvery(clock, 5000, stop.signal, () => at.push(clock.now() - 1000));
    for (let i = 0; i < 4; i += 1) await clock.advance(5000);
    stop.abort();
    await running;
    assert.deepEqual(at, [5000, 10_000, 15_000, 20_000]);
  });

  it('kills the leader at each tick, and the next leader once elected when a tick finds none', async () => {
    const killed: LeaderSeen[] = [];
    const killer = new LeaderKiller((leader) => (killed.push(leader), true));
    killer.leaderChanged({ nodeId: 'node-1', term: 1 });
    assert.equal(killer.tick(), true);
    // The killed term is still in the store until its TTL: not a leader to kill again.
    assert.equal(killer.tick(), false);
    assert.equal(killer.pending, true);
    killer.leaderChanged(null);
    assert.equal(killed.length, 1);
    killer.leaderChanged({ nodeId: 'node-2', term: 2 });
    assert.deepEqual(killed, [{ nodeId: 'node-1', term: 1 }, { nodeId: 'node-2', term: 2 }]);
    assert.equal(killer.pending, false);
    // Without a waiting tick, a new leader is left alone.
    killer.leaderChanged({ nodeId: 'node-3', term: 3 });
    assert.equal(killed.length, 2);
    await flushMicrotasks();
  });

  it('with ticks every 5 s and a 6 s failover, kills at 5, 10 and 15 s: a tick that finds no leader kills the next one once elected', async () => {
    const clock = new FakeClock(0);
    const stop = new AbortController();
    const kills: number[] = [];
    const killer = new LeaderKiller(() => (kills.push(clock.now()), true));
    killer.leaderChanged({ nodeId: 'node-1', term: 1 });
    const running = tickEvery(clock, 5000, stop.signal, () => killer.tick());
    await clock.advance(5000); // tick 1 kills term 1
    await clock.advance(1000);
    killer.leaderChanged({ nodeId: 'node-2', term: 2 }); // elected, not yet killed: no tick waits
    await clock.advance(4000); // tick 2 kills term 2
    await clock.advance(5000); // tick 3: term 2 still in the store, waits
    killer.leaderChanged({ nodeId: 'node-3', term: 3 }); // killed at once
    stop.abort();
    await running;
    assert.deepEqual(kills, [5000, 10_000, 15_000]);
  });
});
