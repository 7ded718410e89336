/**
 * Issue 12: a ZooKeeper call's own bookkeeping. Placing 10,000 buckets makes tens of thousands
 * of calls; each armed a timer of its own for its deadline (src/zk-client/zk-call.ts). The
 * connection's calls now share one timer (zk-call-deadlines.ts; its expiry order is unit-tested).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient } from '../../src/zk-client/zk-client.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/** Session timeout of the test client, ms: its probes (one timer each) are rare beside 500 calls. */
const SESSION_MS = 30_000;
/** Calls made at once in the count. */
const CALLS = 500;

/** Counts the timers armed while `body` runs. */
async function timersArmedDuring(body: () => Promise<void>): Promise<number> {
  const original = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    armed += 1;
    return original(...args);
  }) as typeof setTimeout;
  try {
    await body();
  } finally {
    globalThis.setTimeout = original;
  }
  return armed;
}

describe('ZooKeeper calls: bookkeeping', () => {
  let zk: StandaloneZooKeeper;
  let client: ZkClient;

  before(async () => {
    zk = await startStandalone();
    client = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: SESSION_MS });
  });
  after(async () => {
    await client?.close();
    await zk?.close();
  });

  it(`${CALLS} calls at once arm a handful of timers, not one each`, async () => {
    const armed = await timersArmedDuring(async () => {
      await Promise.all(Array.from({ length: CALLS }, (_, i) => client.exists(`/none-${i}`)));
    });
    assert.ok(armed < 10, `${armed} timers armed for ${CALLS} calls`);
  });

  it(`${CALLS} calls one after another arm a handful of timers`, async () => {
    const armed = await timersArmedDuring(async () => {
      for (let i = 0; i < CALLS; i++) await client.exists(`/none-${i}`);
    });
    assert.ok(armed < 10, `${armed} timers armed for ${CALLS} calls`);
  });

  it('an aborted call fails at once, and the connection goes on answering', async () => {
    const aborted = new AbortController();
    const pending = client.exists('/none', { signal: aborted.signal });
    aborted.abort();
    await assert.rejects(pending, { code: 'ABORTED' });
    assert.equal(await client.exists('/none'), null);
  });
});
