/**
 * Issue 12, store load at rest, on every SQL engine: a session's leases live with its member
 * row, so a node holding leases writes to the store once per retry period (the member-row
 * renewal), whatever the number of leases it holds, and reads once (the digest of its leases,
 * which on MySQL, with no RETURNING, also brings the database clock for the renewal's check).
 * Statements are counted through the connection: the assertion is a count, not a time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Leadership, Session, SessionTiming } from '../../src/contract/index.js';
import type { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { SQL_DIALECTS } from './dialects.js';
import type { WatchedConnection } from './watched-connection.js';
import { openWatched } from './watched-connection.js';

const TIMING: SessionTiming = { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };
/** Renewal periods measured at each lease count. */
const PERIODS = 4;

for (const dialect of SQL_DIALECTS) {
  describe(`${dialect.name}: store writes at rest`, () => {
    let fixture: SqlFixture | undefined;
    let backend: SqlBackend | undefined;
    before(async () => {
      fixture = await dialect.createFixture();
    });
    after(async () => {
      await backend?.close().catch(() => undefined);
      await fixture?.teardown();
    });

    it('one write per retry period (the member-row renewal), with 1 lease held as with 60', async () => {
      const opened = await openWatched(fixture!, 'rest', TIMING.pollIntervalMs);
      backend = opened.backend;
      const connection: WatchedConnection = opened.connection;
      let renewals = 0;
      const session: Session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING, onRenewal: () => void renewals++ });

      /**
       * Writes sent over `periods` retry periods, counted from one renewal of the session to
       * `periods` renewals later. Each period is one member-row renewal statement.
       */
      async function writesOver(periods: number): Promise<{ writes: number; reads: number; periods: number }> {
        await waitFor('a renewal', () => renewals > 0);
        const start = { periods: connection.memberRenewals, writes: connection.writes, statements: connection.statements };
        await waitFor(`${periods} more renewals`, () => connection.memberRenewals >= start.periods + periods, { timeoutMs: 10 * periods * TIMING.retryPeriodMs });
        const writes = connection.writes - start.writes;
        return { writes, reads: connection.statements - start.statements - writes, periods: connection.memberRenewals - start.periods };
      }

      const held: Leadership[] = [await session.campaign('lease/0', {})];
      const one = await writesOver(PERIODS);
      held.push(...(await Promise.all(Array.from({ length: 59 }, (_, i) => session.campaign(`lease/${i + 1}`, {})))));
      const sixty = await writesOver(PERIODS);

      assert.equal(one.writes, one.periods, `holding 1 lease: ${one.writes} writes in ${one.periods} renewal periods`);
      assert.equal(sixty.writes, sixty.periods, `holding 60 leases: ${sixty.writes} writes in ${sixty.periods} renewal periods`);
      // The read of a renewal may land after the count ends: one period's worth of slack.
      assert.ok(sixty.reads >= sixty.periods - 1 && sixty.reads <= sixty.periods, `holding 60 leases: ${sixty.reads} reads in ${sixty.periods} renewal periods`);
      assert.ok(held.every((l) => l.held()), 'a lease was lost while at rest');
    });
  });
}
