import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FederatedZkClient } from '../../../src/federation/federated-zk-client.js';
import { RoutingData } from '../../../src/federation/routing-data.js';
import type { RoutingSource } from '../../../src/federation/routing-source.js';
import type { ZkClient } from '../../../src/zk-client/zk-client.js';
import { FakeClock } from '../../../src/testing/fake-clock.js';
import { InvalidRoutingDataError, RoutingError, StoreUnavailableError, isBatonError } from '../../../src/errors.js';
import { INVALID_CASES } from './validation-cases.js';

/** A routing source whose data the test replaces, counting reads. */
class MutableSource implements RoutingSource {
  readonly description = 'test source';
  reads = 0;
  failing = false;
  constructor(public data: RoutingData) {}
  async read(): Promise<RoutingData> {
    this.reads++;
    if (this.failing) throw new StoreUnavailableError('test source is down');
    return this.data;
  }
  async close(): Promise<void> {}
}

/** A realm "client" that answers exists() with the realm's name in the stat's dataLength slot. */
function stubConnector(opened: string[]) {
  return async (realm: string) => {
    opened.push(realm);
    const ended = new AbortController();
    return {
      ended: ended.signal,
      exists: async () => ({ realm }),
      close: async () => ended.abort(),
    } as unknown as ZkClient;
  };
}

describe('federated client: routing without ZooKeeper', () => {
  for (const c of INVALID_CASES) {
    it(`refuses bad static routing before connecting: ${c.rule}`, async () => {
      const opened: string[] = [];
      await assert.rejects(
        FederatedZkClient.create({ routing: c.input as Record<string, string[]>, connectRealm: stubConnector(opened) }),
        (error: unknown) => error instanceof InvalidRoutingDataError && error.message.includes(c.names),
      );
      assert.deepEqual(opened, []);
    });
  }

  it('opens realms lazily, one client per realm', async () => {
    const opened: string[] = [];
    const zk = await FederatedZkClient.create({ routing: { r1: ['/a'], r2: ['/b'] }, connectRealm: stubConnector(opened) });
    assert.deepEqual(opened, []);
    assert.deepEqual(await zk.exists('/a/1'), { realm: 'r1' });
    assert.deepEqual(await zk.exists('/a/2'), { realm: 'r1' });
    assert.deepEqual(await Promise.all([zk.exists('/b'), zk.exists('/b/x')]), [{ realm: 'r2' }, { realm: 'r2' }]);
    assert.deepEqual(opened, ['r1', 'r2']);
    await zk.close();
  });

  it('refreshes on a miss at most once per interval on the injected clock, then retries once', async () => {
    const clock = new FakeClock();
    const source = new MutableSource(RoutingData.from({ r1: ['/a'] }));
    const zk = await FederatedZkClient.create({ routing: source, clock, routingRefreshIntervalMs: 5_000, connectRealm: stubConnector([]) });
    assert.equal(source.reads, 1);
    source.data = RoutingData.from({ r1: ['/a'], r2: ['/new'] });
    // Within the interval since the initial read: no refresh, the miss is a RoutingError.
    await assert.rejects(zk.exists('/new/x'), RoutingError);
    assert.equal(source.reads, 1);
    await clock.advance(5_000);
    assert.deepEqual(await zk.exists('/new/x'), { realm: 'r2' });
    assert.equal(source.reads, 2);
    // A burst of misses right after: one refresh at most.
    await clock.advance(5_000);
    const misses = await Promise.allSettled([zk.exists('/none/1'), zk.exists('/none/2'), zk.exists('/none/3')]);
    assert.ok(misses.every((m) => m.status === 'rejected' && m.reason instanceof RoutingError));
    assert.equal(source.reads, 3);
    await assert.rejects(zk.exists('/none/4'), RoutingError);
    assert.equal(source.reads, 3);
    await zk.close();
  });

  it('keeps the old routing when a refresh fails, and names the failure as the cause', async () => {
    const clock = new FakeClock();
    const source = new MutableSource(RoutingData.from({ r1: ['/a'] }));
    const zk = await FederatedZkClient.create({ routing: source, clock, connectRealm: stubConnector([]) });
    source.failing = true;
    await clock.advance(10_000);
    await assert.rejects(zk.exists('/b'), (error: unknown) => error instanceof RoutingError && error.cause instanceof StoreUnavailableError);
    assert.deepEqual(await zk.exists('/a/x'), { realm: 'r1' });
    await zk.close();
  });

  it('closes realms that a refresh removed; a realm added connects on first use', async () => {
    const clock = new FakeClock();
    const opened: string[] = [];
    const source = new MutableSource(RoutingData.from({ r1: ['/a'], r2: ['/b'] }));
    const zk = await FederatedZkClient.create({ routing: source, clock, connectRealm: stubConnector(opened) });
    await zk.exists('/a');
    await zk.exists('/b');
    assert.deepEqual(zk.connectedRealms, ['r1', 'r2']);
    source.data = RoutingData.from({ r1: ['/a'], r3: ['/c'] });
    await clock.advance(5_000);
    assert.deepEqual(await zk.exists('/c/1'), { realm: 'r3' });
    assert.deepEqual(zk.connectedRealms, ['r1', 'r3']);
    assert.deepEqual(opened, ['r1', 'r2', 'r3']);
    await zk.close();
  });

  it('with refresh switched off, a miss never reads the source', async () => {
    const clock = new FakeClock();
    const source = new MutableSource(RoutingData.from({ r1: ['/a'] }));
    const zk = await FederatedZkClient.create({ routing: source, clock, refreshRoutingOnMiss: false, connectRealm: stubConnector([]) });
    await clock.advance(60_000);
    await assert.rejects(zk.exists('/b'), RoutingError);
    assert.equal(source.reads, 1);
    await zk.close();
    await assert.rejects(zk.exists('/a'), (error: unknown) => isBatonError(error, 'CLOSED'));
  });
});
