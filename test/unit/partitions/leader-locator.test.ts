import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partitionOf } from '../../../src/partitions/key-partition.js';
import { LeaderLocator, MIN_INVALIDATE_INTERVAL_MS } from '../../../src/partitions/leader-locator.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';

const R = 'leadControllerResource';

/** A fake node API: partition p is led by `leaderOf(p)`; nodes a, b, c at ports 1, 2, 3. */
function fakeApi(leaderOf: (p: number) => string | null, enabled = true) {
  const calls: string[] = [];
  const fetchFn = (async (input: string | URL | Request) => {
    const url = String(input);
    calls.push(url);
    if (url.startsWith('http://down')) throw new TypeError('fetch failed');
    const body = url.includes('/leader/tables')
      ? {
          leadControllerResourceEnabled: enabled,
          leadControllerEntryMap: enabled ? Object.fromEntries(Array.from({ length: 24 }, (_, p) => [`${R}_${p}`, { leadControllerId: leaderOf(p), tableNames: [] }])) : {},
        }
      : { leader: { nodeId: 'c' }, members: ['a', 'b', 'c'].map((nodeId, i) => ({ nodeId, info: { host: '10.0.0.1', ports: { http: i + 1 } } })) };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { calls, fetchFn };
}

describe('LeaderLocator', () => {
  it('locates the leader\'s address, caches per partition, and asks the next node when one is down', async () => {
    const api = fakeApi((p) => (p % 2 === 0 ? 'a' : 'b'));
    const locator = new LeaderLocator({ nodes: ['http://down:1', 'http://n:2'], fetch: api.fetchFn, clock: new FakeClock() });
    const key = 'baseballStats_OFFLINE';
    assert.equal(await locator.locate(key), partitionOf(key) % 2 === 0 ? 'http://10.0.0.1:1' : 'http://10.0.0.1:2');
    const asked = api.calls.length;
    await locator.locate(key);
    await locator.locate('anotherTable');
    assert.equal(api.calls.length, asked, 'served from the cache');
  });

  it('a leaderless partition is left out without emptying the others (unlike Pinot)', async () => {
    const leaderless = partitionOf('t1');
    const api = fakeApi((p) => (p === leaderless ? null : 'a'));
    const locator = new LeaderLocator({ nodes: ['http://n:1'], fetch: api.fetchFn, clock: new FakeClock() });
    assert.equal(await locator.locate('t1'), null);
    const other = ['t2', 't3', 't4', 't5'].find((t) => partitionOf(t) !== leaderless)!;
    const asked = api.calls.length;
    assert.equal(await locator.locate(other), 'http://10.0.0.1:1');
    assert.equal(api.calls.length, asked, 'other partitions were cached by the same refresh');
  });

  it('invalidates a partition at most once per 30 s (the first always), without touching the others', async () => {
    const clock = new FakeClock();
    let leader = 'a';
    const api = fakeApi(() => leader);
    const locator = new LeaderLocator({ nodes: ['http://n:1'], fetch: api.fetchFn, clock });
    assert.equal(await locator.locate('t1'), 'http://10.0.0.1:1');
    leader = 'b';
    assert.equal(locator.invalidate('t1'), true, 'the first invalidation is allowed');
    assert.equal(await locator.locate('t1'), 'http://10.0.0.1:2');
    const other = ['t2', 't3', 't4'].find((t) => partitionOf(t) !== partitionOf('t1'))!;
    assert.equal(await locator.locate(other), 'http://10.0.0.1:1', 'other partitions keep their cached leader');
    leader = 'c';
    await clock.advance(MIN_INVALIDATE_INTERVAL_MS - 1);
    assert.equal(locator.invalidate('t1'), false, 'a second one inside 30 s is refused');
    assert.equal(await locator.locate('t1'), 'http://10.0.0.1:2', 'still cached');
    assert.equal(locator.invalidate(other), true, 'another partition has its own limit');
    await clock.advance(1);
    assert.equal(locator.invalidate('t1'), true, 'allowed again after 30 s');
    assert.equal(await locator.locate('t1'), 'http://10.0.0.1:3');
  });

  it('disabled resource: every key goes to the cluster leader', async () => {
    const api = fakeApi(() => 'a', false);
    const locator = new LeaderLocator({ nodes: ['http://n:1'], fetch: api.fetchFn, clock: new FakeClock() });
    assert.equal(await locator.locate('anything'), 'http://10.0.0.1:3');
  });

  it('rejects with STORE_UNAVAILABLE when no node answers', async () => {
    const api = fakeApi(() => 'a');
    const locator = new LeaderLocator({ nodes: ['http://down:1'], fetch: api.fetchFn, clock: new FakeClock() });
    await assert.rejects(locator.locate('t1'), { code: 'STORE_UNAVAILABLE' });
  });

  it('send: a NOT_LEADER reply or a send error invalidates the partition, within the limit', async () => {
    const clock = new FakeClock();
    let leader = 'a';
    const api = fakeApi(() => leader);
    const replies: (Response | Error)[] = [];
    const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      if (url.includes('/act')) {
        const next = replies.shift()!;
        if (next instanceof Error) throw next;
        return next;
      }
      return api.fetchFn(input, init);
    }) as typeof fetch;
    const locator = new LeaderLocator({ nodes: ['http://n:1'], fetch: fetchFn, clock });
    const path = `/resources/${R}/keys/t1/act`;
    replies.push(new Response(JSON.stringify({ code: 'NOT_LEADER', message: 'no' }), { status: 409 }));
    leader = 'b';
    assert.equal((await locator.send('t1', path, { method: 'POST' }))?.status, 409);
    assert.equal(await locator.locate('t1'), 'http://10.0.0.1:2', 'NOT_LEADER invalidated the cached leader');
    replies.push(new TypeError('fetch failed'));
    leader = 'c';
    await assert.rejects(locator.send('t1', path, { method: 'POST' }), TypeError);
    assert.equal(await locator.locate('t1'), 'http://10.0.0.1:2', 'a second invalidation inside 30 s is refused');
    await clock.advance(MIN_INVALIDATE_INTERVAL_MS);
    replies.push(new TypeError('fetch failed'));
    await assert.rejects(locator.send('t1', path, { method: 'POST' }), TypeError);
    assert.equal(await locator.locate('t1'), 'http://10.0.0.1:3', 'a send error invalidated it after 30 s');
    replies.push(new Response(JSON.stringify({ nodeId: 'c' }), { status: 200 }));
    assert.equal((await locator.send('t1', path, { method: 'POST' }))?.status, 200);
  });
});
