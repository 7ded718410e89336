/**
 * Issue 12, cold start at scale on SQL: campaigns ready at the same time share one take
 * statement (take-batcher.ts) where the dialect has one for many elections (SQLite,
 * PostgreSQL), and each election in it is still decided alone, on the DB clock:
 * - N first campaigns started together cost O(1) statements, not N;
 * - a statement that offers elections held by a live session takes only the free ones;
 * - a campaign aborted while its statement was under way does not keep what it took;
 * - on PostgreSQL, one statement's NOTIFYs name every election it took, within the payload limit.
 * MariaDB takes one election per statement (its dialect says why); the held-by-a-live-session
 * case runs there too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Leadership, SessionTiming } from '../../src/contract/index.js';
import type { SqlParam, SqlResult, WriteOptions } from '../../src/backends/sql/dialect.js';
import { AbortedError } from '../../src/errors.js';
import { backendsThrough } from '../support/sql-backends-through.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { SQL_DIALECTS } from './dialects.js';
import { ForwardingConnection } from './forwarding-connection.js';

const TIMING: SessionTiming = { ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 250, pollIntervalMs: 50 };

/** A statement that takes or inserts lease rows (one election or many). */
const isTake = (sql: string) => /INSERT INTO \S*lease|UPDATE \S*lease\S* SET holder = \?/.test(sql);

/** One take statement for many elections: what it offered and what it took. */
interface BatchSeen {
  readonly offered: string[];
  readonly took: string[];
}

/** Counts take statements, records the batched ones, and runs a hook before a batch is sent. */
class TakeCounter extends ForwardingConnection {
  takes = 0;
  failedBatches = 0;
  readonly batches: BatchSeen[] = [];
  beforeBatch: (() => void) | undefined;

  override run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    if (isTake(sql)) this.takes++;
    return super.run(sql, params);
  }

  override async runAndAnnounce(sql: string, params: readonly SqlParam[], cluster: string, options?: WriteOptions): Promise<SqlResult> {
    if (isTake(sql)) this.takes++;
    if (options?.topicPerRow !== true || !isTake(sql)) return super.runAndAnnounce(sql, params, cluster, options);
    this.beforeBatch?.();
    const result = await super.runAndAnnounce(sql, params, cluster, options).catch((error: unknown) => {
      this.failedBatches++;
      throw error;
    });
    const offered = (JSON.parse(String(params[1])) as { n: string }[]).map((r) => r.n);
    this.batches.push({ offered, took: result.rows.map((r) => String(r['name'])).sort() });
    return result;
  }
}

const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `item/${String(from + i).padStart(2, '0')}`);

for (const dialect of SQL_DIALECTS) {
  const batched = dialect.name !== 'mysql';
  describe(`${dialect.name}: campaigns ready together share a take statement`, () => {
    const open = backendsThrough(dialect.createFixture, TIMING.pollIntervalMs, (connection) => new TakeCounter(connection));

    if (batched) {
      it('100 first campaigns started together cost O(1) take statements, each election its own term', async () => {
        const { backend, connection } = await open('cold');
        const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
        const held = await Promise.all(names(0, 100).map((name) => session.campaign(name, {})));
        assert.ok(connection.takes <= 2, `${connection.takes} take statements for 100 campaigns started together`);
        assert.deepEqual(
          held.map((l) => l.term),
          held.map(() => 1),
          'each first election has term 1',
        );
        await Promise.all(held.map((l) => l.resign()));
        const again = connection.takes;
        const retaken = await Promise.all(names(0, 100).map((name) => session.campaign(name, {})));
        assert.ok(connection.takes - again <= 2, `${connection.takes - again} take statements to take 100 released leases`);
        assert.ok(retaken.every((l) => l.term === 2 && l.held()));
        await Promise.all(retaken.map((l) => l.resign()));
      });
    }

    it('a take of elections some of which a live session holds acquires only the free ones', async () => {
      const a = await open('mixed');
      const b = await open('mixed');
      const holder = await a.backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
      const theirs = await Promise.all(names(0, 5).map((name) => holder.campaign(name, {})));
      const taker = await b.backend.openSession({ nodeId: 'b', info: {}, timing: TIMING });
      const stop = new AbortController();
      const campaigns = names(0, 10).map((name) => taker.campaign(name, {}, { signal: stop.signal }));
      const mine = await withTimeout('the free elections', Promise.all(campaigns.slice(5)));
      assert.ok(mine.every((l) => l.held() && l.term === 1));
      if (batched) {
        assert.deepEqual(b.connection.batches[0], { offered: names(0, 10), took: names(5, 10) }, 'the first statement offered all ten and took the five free ones');
      }
      for (const [i, lease] of theirs.entries()) {
        assert.ok(lease.held(), `${lease.election} still held by its holder`);
        const leader = await b.backend.leader(names(0, 5)[i]!);
        assert.equal(leader?.nodeId, 'a');
        assert.equal(leader?.term, lease.term);
      }
      // Every rejection is awaited from the moment it can happen: one awaited after another
      // would leave the later ones unhandled for a moment (an unhandledRejection under load).
      const ended = campaigns.slice(0, 5).map((campaign) => assert.rejects(campaign, AbortedError));
      stop.abort();
      await Promise.all(ended);
      await Promise.all([...mine, ...theirs].map((l) => l.resign()));
    });

    if (dialect.name === 'postgres') {
      it('a take of 100 long names announces each one to another node, in NOTIFYs under the 8,000-byte limit', async () => {
        const { backend, connection } = await open('announced');
        const other = await open('announced');
        const heard = new Set<string | undefined>();
        const unsubscribe = other.connection.onAnnounce('announced', (topic) => heard.add(topic));
        const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
        const long = names(0, 100).map((name) => `${name}/${'x'.repeat(120)}`); // 12.9 kB of names
        const held = await Promise.all(long.map((name) => session.campaign(name, {})));
        assert.equal(connection.failedBatches, 0, 'no take statement failed');
        assert.equal(connection.batches.length, 1, 'one statement took all 100');
        await waitFor('every name announced', () => long.every((name) => heard.has(name)));
        unsubscribe();
        await Promise.all(held.map((l) => l.resign()));
      });
    }

    if (batched) {
      it('a campaign aborted while its take statement is under way does not keep what it took', async () => {
        const { backend, connection } = await open('aborted');
        const session = await backend.openSession({ nodeId: 'a', info: {}, timing: TIMING });
        const stop = new AbortController();
        const gaveUpEarly = new AbortController();
        gaveUpEarly.abort();
        connection.beforeBatch = () => stop.abort(); // the statement is sent: its answer lands after the abort
        const aborted = assert.rejects(session.campaign('item/aborted', {}, { signal: stop.signal }), AbortedError);
        const kept = Promise.all(names(0, 3).map((name) => session.campaign(name, {})));
        const never = assert.rejects(session.campaign('item/never', {}, { signal: gaveUpEarly.signal }), AbortedError);
        await aborted;
        await never;
        const held: Leadership[] = await kept;
        connection.beforeBatch = undefined;
        assert.deepEqual(connection.batches[0]?.offered, ['item/00', 'item/01', 'item/02', 'item/aborted'], 'a campaign aborted before the statement was sent is not offered');
        assert.ok(connection.batches[0]?.took.includes('item/aborted'), 'the statement took the aborted campaign\'s election');
        await waitFor('the aborted campaign\'s lease released', async () => (await backend.leader('item/aborted')) === null);
        assert.equal(await backend.leader('item/never'), null);
        assert.ok(held.every((l) => l.held()));
        await Promise.all(held.map((l) => l.resign()));
      });
    }
  });
}
