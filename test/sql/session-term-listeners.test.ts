/**
 * Issue 12: a session holding many terms listens to its own `lost` once, not once per term.
 * Adding a listener to an AbortSignal walks the listeners already there, so one per term made
 * acquiring 33,333 items cost 11.5 s of CPU (quadratic). The terms still end with the session.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { SessionTiming } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import type { LeadershipEndedError } from '../../src/errors.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';

const TIMING: SessionTiming = { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
const TERMS = 200;

describe('sqlite: a session with many terms', () => {
  let fixture: SqlFixture | undefined;
  before(async () => {
    fixture = await createSqliteFixture();
  });
  after(async () => {
    await fixture?.teardown();
  });

  it('listens to its `lost` a fixed number of times however many terms it holds, and ends them all when it closes', async () => {
    const backend = await openStore(fixture!.url, { cluster: 'listeners', pollIntervalMs: TIMING.pollIntervalMs });
    try {
      const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
      const before = getEventListeners(session.lost, 'abort').length;
      const terms = await Promise.all(Array.from({ length: TERMS }, (_, i) => session.campaign(`item/${i}`, {})));
      assert.ok(terms.every((t) => t.held()));
      assert.equal(getEventListeners(session.lost, 'abort').length, before, 'no listener per term');
      await session.close();
      assert.ok(terms.every((t) => t.signal.aborted && (t.signal.reason as LeadershipEndedError).reason === 'closed'));
    } finally {
      await backend.close();
    }
  });
});
