import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CampaignHold } from '../../../src/election/index.js';
import { ElectorCluster } from './elector-fixture.js';

/** A hold switched by the test, as a drain request switches the node's. */
class Switch implements CampaignHold {
  #on = false;
  readonly #listeners = new Set<() => void>();
  held(): boolean {
    return this.#on;
  }
  onChange(listener: () => void, { signal }: { signal: AbortSignal }): void {
    if (signal.aborted) return;
    this.#listeners.add(listener);
    signal.addEventListener('abort', () => this.#listeners.delete(listener), { once: true });
  }
  set(on: boolean): void {
    this.#on = on;
    for (const listener of [...this.#listeners]) listener();
  }
  get listeners(): number {
    return this.#listeners.size;
  }
}

describe('LeaderElector: a campaign hold (drain)', () => {
  let cluster = new ElectorCluster();
  afterEach(async () => {
    await cluster.close();
    cluster = new ElectorCluster();
  });

  it('a leader held back steps down at once (moved) and another node wins without waiting for the ttl', async () => {
    const hold = new Switch();
    const a = await cluster.node('a', true, hold);
    const b = await cluster.node('b');
    assert.ok(a.elector.isLeader());
    hold.set(true);
    await cluster.settle();
    assert.deepEqual(a.recorded.reasons, ['moved']);
    assert.equal(a.elector.isLeader(), false);
    assert.deepEqual(b.recorded.started, [{ term: 2, at: 0 }], 'b won at once, on the resigned lease');
  });

  it('a node held back does not campaign, even when nobody leads; it wins once the hold lifts', async () => {
    const hold = new Switch();
    hold.set(true);
    const a = await cluster.node('a', true, hold);
    await cluster.clock.advance(cluster.timing.ttlMs * 3);
    assert.equal(a.elector.isLeader(), false);
    assert.deepEqual(a.recorded.started, []);
    assert.equal(a.elector.leader(), null);
    hold.set(false);
    await cluster.settle();
    assert.ok(a.elector.isLeader());
  });

  it('a contender held back abandons its campaign: the leader resigns and it does not win', async () => {
    const hold = new Switch();
    const a = await cluster.node('a');
    const b = await cluster.node('b', true, hold);
    assert.ok(a.elector.isLeader());
    hold.set(true);
    await cluster.settle();
    await a.elector.resign();
    await cluster.clock.advance(cluster.timing.ttlMs);
    assert.deepEqual(b.recorded.started, [], 'b won while held back');
    assert.deepEqual(a.recorded.started.map((s) => s.term), [1, 2], 'a led again after its resign');
    hold.set(false);
    await a.elector.resign();
    await cluster.clock.advance(cluster.timing.retryPeriodMs);
    assert.equal(b.recorded.started.length, 1, 'b won once the hold lifted');
  });

  it('the hold keeps one listener per term, not one per round', async () => {
    const hold = new Switch();
    const a = await cluster.node('a', true, hold);
    for (let i = 0; i < 5; i++) {
      await a.elector.resign();
      await cluster.clock.advance(cluster.timing.retryPeriodMs);
    }
    assert.equal(a.recorded.started.length, 6);
    assert.equal(hold.listeners, 1);
  });
});
