/**
 * Issue 13: a LeaderElector whose session is lost opens a new session and campaigns again, with
 * the same listeners; before this, it stopped for good and a cluster whose other node then left
 * had no leader. The session is lost on a real store by expiring it behind the holder's back
 * (its member row deleted, as the store's reaper does once it has expired): the next renewal
 * finds no row and the session is lost at once, as after a pause longer than ttlMs.
 * Order checked: the old term's signal aborts and its `released` listener settles before the
 * elector takes a new session; the new campaign runs on that new session.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import type { Backend, SessionTiming } from '../../src/contract/index.js';
import { LeaderElector } from '../../src/election/index.js';
import type { ReleaseReason } from '../../src/holding/index.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor, waitForAbort, withTimeout } from '../support/wait.js';

const TIMING: SessionTiming = { ttlMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const ENGINES = [
  { name: 'sqlite', createFixture: createSqliteFixture },
  { name: 'postgres', createFixture: createPostgresFixture },
] as const;

describe('LeaderElector: a lost session is replaced, the elector leads again', () => {
  let fixture: SqlFixture | undefined;
  const backends: Backend[] = [];
  const electors: LeaderElector[] = [];
  afterEach(async () => {
    for (const elector of electors.splice(0)) await elector.close();
    for (const backend of backends.splice(0)) await backend.close().catch(() => undefined);
    await fixture?.teardown();
    fixture = undefined;
  });

  async function elector(nodeId: string): Promise<LeaderElector> {
    const backend = await openStore(fixture!.url, { cluster: 'c', pollIntervalMs: TIMING.pollIntervalMs });
    backends.push(backend);
    const made = new LeaderElector({ backend, nodeId, info: { host: nodeId }, timing: TIMING });
    electors.push(made);
    return made;
  }

  for (const engine of ENGINES) {
    it(`${engine.name}: after its session expires, the elector opens a new one and leads once the other node is gone`, async () => {
      fixture = await engine.createFixture();
      const a = await elector('a');
      const events: string[] = [];
      let settleReleased: () => void = () => undefined;
      const releasedMayEnd = new Promise<void>((resolve) => (settleReleased = resolve));
      a.on('acquired', (held) => void events.push(`acquired ${held.token}`));
      a.on('released', async (reason: ReleaseReason) => {
        events.push(`released ${reason}`);
        await releasedMayEnd; // the work of the term takes a while to stop
        events.push('released settled');
      });
      a.start();
      const first = await withTimeout('a leads', a.whenLeader());
      const firstHeld = a.held();
      const lostSession = a.session!;
      const b = await elector('b');
      b.start();

      await fixture.run('DELETE FROM baton_member WHERE cluster = ? AND session = ?', ['c', lostSession.id]);
      await waitForAbort("a's term to end", firstHeld!.signal);
      await withTimeout('b leads', b.whenLeader());
      await waitFor('the released listener to run', () => events.includes('released lost'));
      // While the listener has not settled, nothing new starts: same (lost) session, no campaign.
      assert.equal(a.session?.id, lostSession.id);
      assert.equal(a.isLeader(), false);
      settleReleased();
      await waitFor('a new session', () => a.session !== null && a.session.id !== lostSession.id);

      await b.close(); // the other node goes: a must lead again
      const again = await withTimeout('a leads again', a.whenLeader());
      assert.ok(again.term > first.term, `term ${again.term} after ${first.term}`);
      assert.equal(a.isLeader(), true);
      assert.deepEqual(events, [`acquired ${first.term}`, 'released lost', 'released settled', `acquired ${again.term}`]);
      assert.equal(a.state, 'started');
    });
  }
});
