/**
 * Issue 10 case 7: a candidate znode whose delete was lost must not wedge the election while its
 * session lives. Real standalone server; the loss is a connection cut (TcpProxy.cut) right after
 * the resign's delete was sent, and a stray candidate of the campaigning session itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/contract/index.js';
import { createZookeeperBackend, ZkClient, ZkLayout } from '../../src/backends/zookeeper/index.js';
import { campaign } from '../../src/backends/zookeeper/zk-campaign.js';
import { sortCandidates } from '../../src/backends/zookeeper/zk-layout.js';
import { systemClock } from '../../src/clock.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/**
 * Long session (ms): far longer than the waits below, so only a delete (never an expiry) can
 * free the election while the test looks.
 */
const TIMING = Object.freeze({ ttlMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 500, pollIntervalMs: 250 });
/** How long the successor may take once the candidate is gone (a few round trips), ms. */
const TAKEOVER_MS = 10_000;

describe('ZooKeeper: a lost candidate delete does not wedge the election', () => {
  let zk: StandaloneZooKeeper;
  const closers: (() => Promise<unknown>)[] = [];

  before(async () => {
    zk = await startStandalone();
  });
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await zk?.close();
  });

  const backend = async (connect: string, cluster: string): Promise<Backend> => {
    const b = await createZookeeperBackend({ connect, cluster });
    closers.push(() => b.close());
    return b;
  };

  it('resign whose delete is cut off in flight: the successor acquires while the old session lives', async () => {
    const port = Number(zk.connectString.split(':')[1]);
    const proxy = await TcpProxy.start('127.0.0.1', port);
    closers.push(() => proxy.close());
    const a = await backend(`127.0.0.1:${proxy.port}`, 'lost-delete');
    const b = await backend(zk.connectString, 'lost-delete');
    const sa = await a.openSession({ nodeId: 'a', info: {}, timing: TIMING });
    const sb = await b.openSession({ nodeId: 'b', info: {}, timing: TIMING });
    const held = await sa.campaign('e', {});

    // 1. Resign and cut the connection before the delete can reach the server.
    const resigning = held.resign();
    proxy.cut();
    proxy.restore();
    await resigning.catch(() => undefined); // may fail (CONNECTION_LOSS) or succeed after a retry

    // 2. The old session reconnects and lives on; the successor must still win well before its ttl.
    await waitFor('session a live again', () => sa.state === 'live', { timeoutMs: TAKEOVER_MS });
    const next = await withTimeout('the successor to acquire', sb.campaign('e', {}), TAKEOVER_MS);
    assert.equal(next.held(), true);
    assert.notEqual(sa.state, 'lost', 'the old session must be alive: only the delete may have freed the election');
    await next.resign();
  });

  it("a campaign removes a lower candidate of its own session before it waits", async () => {
    const client = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: TIMING.ttlMs });
    closers.push(() => client.close());
    const layout = new ZkLayout('stray');
    const dir = layout.election('e');
    await client.mkdirs(dir);
    // A candidate a lost delete left behind: same session, lower sequence.
    const stray = await client.create(`${dir}/n_`, Buffer.from('{}'), { mode: 'ephemeral_sequential' });
    const won = await withTimeout(
      'the campaign past its own stray candidate',
      campaign({
        client,
        clock: systemClock,
        election: 'e',
        dir,
        nodeId: 'a',
        info: {},
        lost: new AbortController().signal,
        recheckMs: TIMING.pollIntervalMs,
        host: { client, clock: systemClock, lost: new AbortController().signal, retryMs: TIMING.pollIntervalMs, onEnd: () => undefined, alive: () => true, releaseAt: () => systemClock.now(), cleanup: () => undefined },
        cleanup: () => undefined,
      }),
      TAKEOVER_MS,
    );
    assert.equal(won.held(), true);
    const left = sortCandidates(await client.getChildren(dir)).map((name) => `${dir}/${name}`);
    assert.deepEqual(left, [won.path], `stray ${stray} should be gone`);
    await won.resign();
  });
});
