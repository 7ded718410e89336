/**
 * Handover without expiry, on every SQL engine. ttlMs is far longer than any wait in these
 * tests, so a successor that leads at all did not wait for expiry; likewise pollIntervalMs
 * for the first election.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Backend, SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { SQL_DIALECTS } from './dialects.js';

/** Expiry (60 s) far beyond the 10 s each wait below allows: only a release can explain a handover. */
const SLOW_EXPIRY: SessionTiming = Object.freeze({ ttlMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 200, pollIntervalMs: 50 });
/** A poll period (60 s) no wait below could sit out: an election that completes did not poll. */
const SLOW_POLL: SessionTiming = Object.freeze({ ttlMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 200, pollIntervalMs: 60_000 });

for (const dialect of SQL_DIALECTS) {
  describe(`handover: ${dialect.name}`, () => {
    let fixture: SqlFixture;
    const opened: Backend[] = [];
    const open = async (cluster: string) => {
      const backend = await openStore(fixture.url, { cluster, pollIntervalMs: 50 });
      opened.push(backend);
      return backend;
    };
    before(async () => {
      fixture = await dialect.createFixture();
    });
    after(async () => {
      await Promise.allSettled(opened.map((b) => b.close()));
      await fixture.teardown();
    });

    it('the first election on an empty database is immediate', async () => {
      const backend = await open(`first-${randomBytes(4).toString('hex')}`);
      const session = await backend.openSession({ nodeId: 'n1', info: {}, timing: SLOW_POLL });
      const leadership = await withTimeout('the first election', session.campaign('leader', { node: 'n1' }));
      assert.equal(leadership.term, 1);
      assert.equal((await backend.leader('leader'))?.nodeId, 'n1');
    });

    it('resign and close hand over at once, without waiting for expiry', async () => {
      const cluster = `handover-${randomBytes(4).toString('hex')}`;
      const [a, b, c] = [await open(cluster), await open(cluster), await open(cluster)];
      const sa = await a.openSession({ nodeId: 'a', info: {}, timing: SLOW_EXPIRY });
      const sb = await b.openSession({ nodeId: 'b', info: {}, timing: SLOW_EXPIRY });
      const sc = await c.openSession({ nodeId: 'c', info: {}, timing: SLOW_EXPIRY });
      const la = await sa.campaign('leader', {});
      const lb = sb.campaign('leader', {});

      await la.resign();
      assert.ok(la.signal.aborted, 'resign did not end the term');
      const leaderB = await withTimeout('b to lead after a resigned', lb);
      assert.ok(leaderB.term > la.term);

      const lc = sc.campaign('leader', {});
      await sb.close();
      assert.ok(leaderB.signal.aborted, 'close did not end the term');
      const leaderC = await withTimeout('c to lead after b closed', lc);
      assert.ok(leaderC.term > leaderB.term);
      assert.deepEqual((await c.members()).map((m) => m.nodeId), ['a', 'c'], 'close left its member row');
    });

    it('a recovering node does not pre-empt a healthy leader', async () => {
      const cluster = `recover-${randomBytes(4).toString('hex')}`;
      const [a, b] = [await open(cluster), await open(cluster)];
      let renewedA = 0;
      const sa = await a.openSession({ nodeId: 'a', info: {}, timing: SLOW_EXPIRY, onRenewal: (_ms, ok) => void (ok && renewedA++) });
      const la = await sa.campaign('leader', {});
      // "b" comes back (a restarted node) and campaigns while "a" keeps renewing.
      const sb = await b.openSession({ nodeId: 'b', info: {}, timing: SLOW_EXPIRY });
      let bLed = false;
      const lb = sb.campaign('leader', {}).then((l) => {
        bLed = true;
        return l;
      });
      const start = renewedA;
      await waitFor('a to renew several times', () => renewedA >= start + 6);
      assert.equal(bLed, false, 'b pre-empted a live lease');
      assert.equal(la.signal.aborted, false);
      assert.equal((await b.leader('leader'))?.sessionId, sa.id);
      await la.resign();
      await withTimeout('b to lead after a resigned', lb);
    });
  });
}
