/**
 * A campaign aborted while its candidate `create` is in flight must not leave the candidate
 * behind (it would block the election until the session ends). Real server; the abort is
 * made deterministic by aborting synchronously right after the create was sent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZkClient, ZkLayout } from '../../src/backends/zookeeper/index.js';
import { campaign, type CampaignContext } from '../../src/backends/zookeeper/zk-campaign.js';
import { sortCandidates } from '../../src/backends/zookeeper/zk-layout.js';
import { systemClock } from '../../src/clock.js';
import { isBatonError } from '../../src/errors.js';
import { withTimeout } from '../support/wait.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/** Session timeout of the test clients, ms: far longer than the test, so only a delete frees the election. */
const SESSION_TIMEOUT_MS = 30_000;

describe('ZooKeeper campaign aborted while its create is in flight', () => {
  let zk: StandaloneZooKeeper;
  const clients: ZkClient[] = [];
  const layout = new ZkLayout('abort');

  before(async () => {
    zk = await startStandalone();
  });
  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await zk?.close();
  });

  const connect = async (): Promise<ZkClient> => {
    const client = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: SESSION_TIMEOUT_MS });
    clients.push(client);
    return client;
  };

  /** A context for `client`; clean-ups are collected so the test can wait for them. */
  const context = (client: ZkClient, election: string, nodeId: string, cleanups: Promise<void>[]): CampaignContext => ({
    client,
    clock: systemClock,
    election,
    dir: layout.election(election),
    nodeId,
    info: { host: nodeId },
    lost: new AbortController().signal,
    recheckMs: 200,
    host: { client, clock: systemClock, lost: new AbortController().signal, retryMs: 200, onEnd: () => undefined, alive: () => true, releaseAt: () => systemClock.now(), cleanup: (_, work) => cleanups.push(work) },
    cleanup: (work) => cleanups.push(work),
  });

  /** `client`, except that `create` aborts `controller` synchronously once the request was sent. */
  const abortingAfterCreate = (client: ZkClient, controller: AbortController): ZkClient =>
    new Proxy(client, {
      get(target, property) {
        if (property === 'create') {
          return (...args: Parameters<ZkClient['create']>) => {
            const sent = target.create(...args);
            controller.abort();
            return sent;
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });

  it('the candidate is deleted once the create lands, and another session wins at once', async () => {
    const [a, b, admin] = [await connect(), await connect(), await connect()];
    const election = 'e-inflight';
    const cleanups: Promise<void>[] = [];
    const controller = new AbortController();
    await assert.rejects(
      campaign(context(abortingAfterCreate(a, controller), election, 'a', cleanups), { signal: controller.signal }),
      (error: unknown) => isBatonError(error, 'ABORTED'),
    );
    assert.ok(cleanups.length > 0, 'the in-flight create was not handed to a clean-up');
    await withTimeout('the clean-up', Promise.all(cleanups), 10_000);
    const left = sortCandidates(await admin.getChildren(layout.election(election)));
    assert.deepEqual(left, [], `candidates left behind: ${left.join(', ')}`);
    const won = await withTimeout('the other session\'s campaign', campaign(context(b, election, 'b', [])), 10_000);
    assert.equal(won.signal.aborted, false);
    await won.resign();
  });

  it('a new campaign of the same session waits for the clean-up and then wins', async () => {
    const a = await connect();
    const election = 'e-again';
    const cleanups: Promise<void>[] = [];
    const controller = new AbortController();
    const ctx = context(abortingAfterCreate(a, controller), election, 'a', cleanups);
    await assert.rejects(campaign(ctx, { signal: controller.signal }), (error: unknown) => isBatonError(error, 'ABORTED'));
    const previous = Promise.all(cleanups).then(() => undefined);
    const won = await withTimeout('the second campaign', campaign({ ...context(a, election, 'a', []), previous }), 10_000);
    const candidates = sortCandidates(await a.getChildren(layout.election(election)));
    assert.equal(candidates.length, 1, `one candidate expected, found ${candidates.join(', ')}`);
    assert.equal(`${layout.election(election)}/${candidates[0]}`, won.path);
    await won.resign();
  });
});
