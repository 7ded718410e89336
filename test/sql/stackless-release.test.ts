/**
 * Issue 12 on SQL: a term resigned, or ended by its session's graceful close, aborts its signal
 * with a LeadershipEndedError made without a stack (errors.ts leadershipEnded): a node leaving
 * with 33,333 items made one per item.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import { DEFAULT_TIMING } from '../../src/contract/index.js';
import { LeadershipEndedError } from '../../src/errors.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { stackFrames } from '../support/stack-frames.js';

describe('sqlite: a graceful end of a term captures no stack', () => {
  let fixture: SqlFixture | undefined;
  after(async () => fixture?.teardown());

  it('resigned and closed', async () => {
    fixture = await createSqliteFixture();
    const backend = await openStore(fixture.url, { cluster: 'c1' });
    try {
      const session = await backend.openSession({ nodeId: 'a', info: {}, timing: DEFAULT_TIMING });
      const resigned = await session.campaign('resigned', {});
      const closed = await session.campaign('closed', {});
      await resigned.resign();
      await session.close();
      for (const term of [resigned, closed]) {
        assert.ok(term.signal.reason instanceof LeadershipEndedError);
        assert.equal(stackFrames(term.signal.reason), 0, String((term.signal.reason as Error).stack));
      }
      assert.deepEqual([resigned, closed].map((term) => (term.signal.reason as LeadershipEndedError).reason), ['resigned', 'closed']);
    } finally {
      await backend.close();
    }
  });
});
