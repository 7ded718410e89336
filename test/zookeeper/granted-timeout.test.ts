/**
 * The session timeout ZooKeeper grants is clamped by the server to [minSessionTimeout,
 * maxSessionTimeout] (by default [2, 20] x tickTime). A granted timeout below ttlMs would let the
 * server expire the session before the margin the holder counts on (ttlMs - renewDeadlineMs):
 * opening such a session fails with a ConfigError that says what to change. A longer one is safe
 * (the server only waits longer) and is accepted. The test server grants 1 s to 60 s.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/contract/index.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/index.js';
import { isBatonError } from '../../src/errors.js';
import { MIN_SESSION_TIMEOUT_MS, startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';

/** The test servers' maxSessionTimeout, ms (zookeeper-server.ts). */
const MAX_SESSION_TIMEOUT_MS = 60_000;

describe('ZooKeeper: the granted session timeout against ttlMs', () => {
  let zk: StandaloneZooKeeper;
  let backend: Backend;

  before(async () => {
    zk = await startStandalone();
    backend = await createZookeeperBackend({ connect: zk.connectString, cluster: 'granted' });
  });
  after(async () => {
    await backend?.close();
    await zk?.close();
  });

  it('refuses a session when the server grants less than ttlMs', async () => {
    const ttlMs = MAX_SESSION_TIMEOUT_MS + 10_000;
    await assert.rejects(
      backend.openSession({ nodeId: 'long', info: {}, timing: { ttlMs, renewDeadlineMs: 40_000, retryPeriodMs: 2_000, pollIntervalMs: 500 } }),
      (error: unknown) => isBatonError(error, 'CONFIG') && /granted a session timeout of 60000 ms, less than ttlMs/.test(error.message),
    );
    assert.deepEqual(await backend.members(), [], 'nothing registered');
  });

  it('accepts a longer granted timeout (the server waits longer, never shorter)', async () => {
    const ttlMs = MIN_SESSION_TIMEOUT_MS - 200;
    const session = await backend.openSession({ nodeId: 'short', info: {}, timing: { ttlMs, renewDeadlineMs: 500, retryPeriodMs: 200, pollIntervalMs: 100 } });
    assert.equal(session.state, 'live');
    await session.close();
  });

  it('refuses a margin (ttlMs - renewDeadlineMs) no wider than the probe interval', async () => {
    await assert.rejects(
      backend.openSession({ nodeId: 'narrow', info: {}, timing: { ttlMs: 4_000, renewDeadlineMs: 3_600, retryPeriodMs: 400, pollIntervalMs: 100 } }),
      (error: unknown) => isBatonError(error, 'CONFIG') && (error as { key?: string }).key === 'election.renewDeadlineMs',
    );
  });
});
