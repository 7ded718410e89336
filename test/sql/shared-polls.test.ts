/**
 * Issue 12, idle CPU, on every SQL engine: watches of one backend that look at the same thing
 * (the member list, one election's lease row) share one poll, and so do all its KV watches,
 * whatever their prefixes, so an idle backend with N such watches sends one statement per poll
 * period, not N; and each watch is still told of a change, and only of its own. Statements are counted through the connection, per period
 * of a reference watch of its own: the assertion is a count, not a time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlParam, SqlResult } from '../../src/backends/sql/dialect.js';
import type { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { SQL_DIALECTS } from './dialects.js';
import { openWatched } from './watched-connection.js';

const POLL_MS = 50;
/** Watches of each kind. */
const N = 5;
/** Poll periods counted (of the reference watch). */
const PERIODS = 4;
/** Polls of one kind beyond the reference's in the same window: the loops drift by a tick or two. */
const DRIFT = 2;

type Kind = 'members' | 'lease e' | 'lease ref' | 'kv' | 'other';

function kindOf(sql: string, params: readonly SqlParam[] | undefined): Kind {
  if (/^\s*SELECT node_id, session, info, joined_at\b/i.test(sql)) return 'members';
  if (/ AS session_expires_at, CASE WHEN/i.test(sql)) return params?.[1] === 'ref' ? 'lease ref' : 'lease e';
  if (/ AS k, version, updated_at FROM/i.test(sql)) return 'kv';
  return 'other';
}

for (const dialect of SQL_DIALECTS) {
  describe(`${dialect.name}: shared watch polls`, () => {
    let fixture: SqlFixture | undefined;
    let backend: SqlBackend | undefined;
    let writer: SqlBackend | undefined;
    before(async () => {
      fixture = await dialect.createFixture();
    });
    after(async () => {
      await backend?.close().catch(() => undefined);
      await writer?.close().catch(() => undefined);
      await fixture?.teardown();
    });

    it(`N watches of one kind send one statement per poll period, and each is told of a change`, async () => {
      const opened = await openWatched(fixture!, 'shared', POLL_MS);
      backend = opened.backend;
      const counts = new Map<Kind, number>();
      let kvParams: readonly SqlParam[] = [];
      const connection = opened.connection;
      const run = connection.run.bind(connection);
      connection.run = (sql: string, params?: readonly SqlParam[]): Promise<SqlResult> => {
        const kind = kindOf(sql, params);
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
        if (kind === 'kv') kvParams = params ?? [];
        return run(sql, params);
      };
      const stop = new AbortController();
      const fired = { members: 0, lease: 0, kvA: 0, kvAB: 0, kvAC: 0, kvB: 0 };
      backend.watchLeader('ref', () => undefined, { signal: stop.signal });
      for (let i = 0; i < N; i++) {
        backend.watchMembers(() => void fired.members++, { signal: stop.signal });
        backend.watchLeader('e', () => void fired.lease++, { signal: stop.signal });
        backend.kv.watch('a/', () => void fired.kvA++, { signal: stop.signal });
      }
      // Narrower prefixes and another one share the same poll.
      backend.kv.watch('a/b/', () => void fired.kvAB++, { signal: stop.signal });
      backend.kv.watch('a/c/', () => void fired.kvAC++, { signal: stop.signal });
      const stopB = new AbortController();
      backend.kv.watch('b/', () => void fired.kvB++, { signal: AbortSignal.any([stop.signal, stopB.signal]) });

      const count = (kind: Kind) => counts.get(kind) ?? 0;
      await waitFor('the reference watch polling', () => count('lease ref') >= 2);
      const start = new Map(counts);
      const since = (kind: Kind) => count(kind) - (start.get(kind) ?? 0);
      await waitFor(`${PERIODS} reference polls`, () => since('lease ref') >= PERIODS, { timeoutMs: 100 * PERIODS * POLL_MS });
      const periods = since('lease ref');
      for (const kind of ['members', 'lease e', 'kv'] as const) {
        assert.ok(since(kind) <= periods + DRIFT, `${N} ${kind} watches sent ${since(kind)} polls in ${periods} poll periods`);
      }
      assert.deepEqual(fired, { members: 0, lease: 0, kvA: 0, kvAB: 0, kvAC: 0, kvB: 0 }, 'a watch fired with nothing changed');
      assert.deepEqual(kvParams.slice(1), [2, 'a/', 2, 'b/'], 'the KV poll reads the outermost watched prefixes');

      // Every watch of what changed is told; one of another prefix is not.
      writer = (await openWatched(fixture!, 'shared', POLL_MS)).backend;
      await writer.kv.put('a/b/x', 1);
      await waitFor('every a/ and a/b/ watch told of the write', () => fired.kvA === N && fired.kvAB === 1);
      const session = await writer.openSession({ nodeId: 'w', info: {}, timing: { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: POLL_MS } });
      await waitFor('every member watch told of the join', () => fired.members >= N);
      await session.campaign('e', {});
      await waitFor('every leader watch told of the new leader', () => fired.lease >= N);
      assert.equal(fired.kvAC, 0, 'a watch of a/c/ fired for a write to a/b/x');
      assert.equal(fired.kvB, 0, 'a watch of b/ fired for a write to a/b/x');
      await writer.kv.put('b/y', 1);
      await waitFor('the b/ watch told of its write', () => fired.kvB === 1);
      assert.equal(fired.kvA, N, 'an a/ watch fired for a write to b/y');

      // A prefix no longer watched is no longer read.
      stopB.abort();
      const reads = count('kv');
      await waitFor('a KV poll after the b/ watch ended', () => count('kv') >= reads + 2);
      assert.deepEqual(kvParams.slice(1), [2, 'a/'], 'the KV poll still reads b/');
      stop.abort();
      await session.close();
    });
  });
}
