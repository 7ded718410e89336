/**
 * Issue 10 case 8, SQL: a renewal that committed on the server but whose answer never came back
 * (the connection broke in between) must not make the holder's next renewal read as "gone".
 * Since leases live with their session (issue 12), the one renewal is the member row's: the
 * session and every term it holds go on; renewals identify the row by node id and session.
 *
 * To catch a renewal between its commit and its answer, a foreign transaction holds the member
 * row locked so the renewal waits on the server; then the proxy in front of the holder stops
 * forwarding, the lock is released (the renewal commits, its answer is held back), and the
 * proxy cuts every connection (the answer is lost).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Backend, SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';
import type { RowLock } from './row-locks.js';
import { LOCKING_ENGINES, waitForLockWaiters } from './row-locks.js';

/** A deadline (4 s) long against the few hundred ms the fault takes, even under load. */
const TIMING: SessionTiming = { ttlMs: 8_000, renewDeadlineMs: 4_000, retryPeriodMs: 250, pollIntervalMs: 50 };

for (const engine of LOCKING_ENGINES) {
  describe(`${engine.name}: a session renewal whose answer was lost`, () => {
    let fixture: SqlFixture | undefined;
    let proxy: TcpProxy | undefined;
    let backend: Backend | undefined;
    let lock: RowLock | undefined;
    afterEach(async () => {
      await lock?.release().catch(() => undefined);
      proxy?.unstall();
      proxy?.restore();
      await backend?.close().catch(() => undefined);
      await proxy?.close();
      await fixture?.teardown();
      fixture = proxy = backend = lock = undefined;
    });

    it('ends neither the session nor its term: the next renewal still finds the row by node and session', async () => {
      fixture = await engine.createFixture();
      proxy = await TcpProxy.start(engine.host, engine.port);
      backend = await openStore(engine.urlThrough(fixture, proxy.port), { cluster: 'c', pollIntervalMs: TIMING.pollIntervalMs });
      let renewed = 0;
      const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING, onRenewal: (_ms, ok) => void (ok && renewed++) });
      const leadership = await session.campaign('leader', {});
      const lease = async () => (await fixture!.run("SELECT holder, term FROM baton_lease WHERE cluster = 'c' AND name = 'leader'")).rows[0];
      const renewedAt = async () => Number((await fixture!.run("SELECT renewed_at FROM baton_member WHERE cluster = 'c' AND node_id = 'a'")).rows[0]?.['renewed_at']);

      // 1. A renewal reaches the server and waits for the row lock.
      lock = await engine.lockRows(fixture, 'SELECT session FROM baton_member WHERE cluster = ? AND node_id = ? FOR UPDATE', ['c', 'a']);
      await waitForLockWaiters(engine, fixture, 'a renewal to wait for the row lock', (n) => n > 0);
      const before = await renewedAt();
      // 2. Nothing gets back to the holder any more; the renewal commits.
      proxy.stall();
      await lock.release();
      lock = undefined;
      await waitFor('the waiting renewal to commit', async () => (await renewedAt()) > before);
      // 3. Its answer is lost with the connection.
      proxy.cut();
      proxy.unstall();
      proxy.restore();

      // The holder renews again, and keeps its session and its term.
      const renewedAfter = renewed;
      await waitFor('two renewals after the lost answer', () => renewed >= renewedAfter + 2 || leadership.signal.aborted, { timeoutMs: TIMING.ttlMs });
      assert.equal(leadership.held(), true, `the term ended: ${String((leadership.signal.reason as Error | undefined)?.message)}`);
      assert.equal(session.state, 'live');
      const after = await lease();
      assert.deepEqual([after?.['holder'], Number(after?.['term'])], [session.id, leadership.term]);
    });
  });
}
