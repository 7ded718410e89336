/**
 * Issue 12, idle CPU on PostgreSQL: while the LISTEN connection is up, a watch whose changes are
 * announced does not poll every period. A KV watch (every write NOTIFYs), a member watch and a
 * leader watch (joins, leaves, takes and releases NOTIFY; expiries do not) read again only at
 * the re-check, every 4 poll periods, while nobody is about to expire; a change still reaches
 * them at once by its NOTIFY. A LISTEN connection lost wakes them at once, and while it is down
 * they poll every period. The watcher's monotonic clock is a FakeClock (the database is real),
 * so every assertion counts reads per clock step, never a time.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Leadership, SessionTiming } from '../../src/contract/index.js';
import type { SqlParam, SqlResult } from '../../src/backends/sql/dialect.js';
import { postgresDialect } from '../../src/backends/sql/postgres/dialect.js';
import { FIRST_READING_SLACK_MS } from '../../src/backends/sql/shared-polls.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { flushMicrotasks } from '../../src/testing/fake-clock.js';
import { waitFor } from '../support/wait.js';
import { CountingConnection, PostgresWaiters, type WaiterNode } from './postgres-waiters.js';

/** Long enough that no member row expires during a test while the fake clocks stand still. */
const TIMING: SessionTiming = { ttlMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 10_000, pollIntervalMs: 50 };
/** The re-check of a poll that sleeps on announcements (shared-polls.ts ANNOUNCED_RECHECK_POLL_PERIODS). */
const RECHECK_PERIODS = 4;
/** Poll periods stepped through while counting. */
const PERIODS = 16;
/** The renewal loop's pause and the session deadline's, before any watch sleeps. */
const SESSION_SLEEPS = 2;

type Kind = 'kv' | 'members' | 'leader';
const KINDS: readonly Kind[] = ['kv', 'members', 'leader'];

function kindOf(sql: string): Kind | undefined {
  if (/ AS k, version, updated_at FROM/i.test(sql)) return 'kv';
  if (/^\s*SELECT node_id, session, info, joined_at\b/i.test(sql)) return 'members';
  if (/ AS session_expires_at, CASE WHEN/i.test(sql)) return 'leader';
  return undefined;
}

/** A connection that counts the watches' reads, and can pretend its LISTEN connection is down. */
class PollCountingConnection extends CountingConnection {
  readonly reads: Record<Kind, number> = { kv: 0, members: 0, leader: 0 };
  /** The watches' reads sent and not yet answered. */
  readsInFlight = 0;
  listenDown = false;
  override async run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    const kind = kindOf(sql);
    if (kind === undefined) return super.run(sql, params);
    this.reads[kind]++;
    this.readsInFlight++;
    try {
      return await super.run(sql, params);
    } finally {
      this.readsInFlight--;
    }
  }
  override get announcing(): boolean {
    return !this.listenDown && super.announcing;
  }
}

describe('postgres: watches sleep on announcements while the LISTEN connection is up', () => {
  const db = new PostgresWaiters();
  afterEach(() => db.close());

  /** The watcher with a KV, a member and a leader watch, each having read once and asleep. */
  async function watcher(): Promise<{ node: WaiterNode; connection: PollCountingConnection; fired: Record<Kind, number>; held: Leadership }> {
    const holder = await db.node('holder', TIMING);
    const held = await holder.session.campaign('leader', {});
    const node = await db.node('watcher', TIMING, (inner) => new PollCountingConnection(inner));
    const connection = node.connection as PollCountingConnection;
    await db.announcementsDelivered(node); // its own join's NOTIFY would wake the watches once
    await dbClockPastJoins();
    const fired: Record<Kind, number> = { kv: 0, members: 0, leader: 0 };
    const signal = new AbortController().signal;
    node.backend.kv.watch('a/', () => void fired.kv++, { signal });
    node.backend.watchMembers(() => void fired.members++, { signal });
    node.backend.watchLeader('leader', () => void fired.leader++, { signal });
    await asleep(node);
    return { node, connection, fired, held };
  }

  /**
   * Resolves once the DB clock is past every member's join by more than the slack of a watch's
   * first reading (FIRST_READING_SLACK_MS). A watch judges its first
   * reading against the DB time of the call, estimated from its local clock; the watcher's fake
   * clock stands still, so a join a few ms before that read would count as made after the call.
   */
  async function dbClockPastJoins(): Promise<void> {
    const { member } = tableNames();
    const latest = Number((await db.fixture.run(`SELECT MAX(joined_at) AS j FROM ${member} WHERE cluster = 'c'`)).rows[0]?.['j']);
    await waitFor('the DB clock past the joins', async () => Number((await db.fixture.run(`SELECT ${postgresDialect.nowMs} AS now`)).rows[0]?.['now']) > latest + 2 * FIRST_READING_SLACK_MS);
  }

  /**
   * Resolves once every watch's poll sleeps again (after a read it was woken for): one sleep
   * each while they sleep on announcements; while they poll every period (`ticking`) they wait
   * for the backend's one timer of the next tick (shared-polls.ts), set once the first of them
   * waits, and no read of theirs is still under way.
   */
  async function asleep(node: WaiterNode, ticking = false): Promise<void> {
    const connection = node.connection as PollCountingConnection;
    const sleeps = SESSION_SLEEPS + (ticking ? 1 : KINDS.length);
    await waitFor('every watch to sleep', () => node.clock.pendingSleeps >= sleeps && connection.readsInFlight === 0);
    await flushMicrotasks();
  }

  /**
   * Steps the watcher's clock one poll period at a time until every watch's poll waits for the
   * backend's tick: each does from its first read that sees no announcements coming, at its
   * re-check at the latest.
   */
  async function untilTicking(node: WaiterNode): Promise<void> {
    const connection = node.connection as PollCountingConnection;
    for (let i = 0; i <= 2 * RECHECK_PERIODS; i++) {
      await node.clock.advance(TIMING.pollIntervalMs);
      await waitFor('the reads to end', () => connection.readsInFlight === 0 && node.clock.pendingSleeps > SESSION_SLEEPS);
      await flushMicrotasks();
      if (node.clock.pendingSleeps === SESSION_SLEEPS + 1) return;
    }
    assert.fail(`the watches still sleep on announcements ${2 * RECHECK_PERIODS} poll periods after they stopped (${node.clock.pendingSleeps} sleeps)`);
  }

  /** Steps the watcher's clock one poll period at a time; returns each kind's reads meanwhile. */
  async function readsOver(node: WaiterNode, periods: number, ticking = false): Promise<Record<Kind, number>> {
    const connection = node.connection as PollCountingConnection;
    const before = { ...connection.reads };
    for (let i = 0; i < periods; i++) {
      await node.clock.advance(TIMING.pollIntervalMs);
      await asleep(node, ticking);
    }
    return { kv: connection.reads.kv - before.kv, members: connection.reads.members - before.members, leader: connection.reads.leader - before.leader };
  }

  it(`at rest each watch reads once per ${RECHECK_PERIODS} poll periods, not every period, and a change still reaches it by its NOTIFY`, async () => {
    await db.start();
    const { node, connection, fired, held } = await watcher();
    assert.equal(connection.announcing, true);

    const reads = await readsOver(node, PERIODS);
    for (const kind of KINDS) {
      assert.ok(reads[kind] >= 1, `the ${kind} watch never re-checked in ${PERIODS} poll periods`);
      assert.ok(reads[kind] <= PERIODS / RECHECK_PERIODS, `the ${kind} watch read ${reads[kind]} times in ${PERIODS} poll periods with the LISTEN connection up`);
    }
    assert.deepEqual(fired, { kv: 0, members: 0, leader: 0 }, 'a watch fired with nothing changed');

    // Changes reach the watches with the watcher's clock standing still: by their NOTIFYs alone.
    const writer = await db.node('writer', TIMING);
    await waitFor('the member watch told of a join', () => fired.members >= 1);
    await writer.backend.kv.put('a/x', 1);
    await waitFor('the KV watch told of a write', () => fired.kv >= 1);
    await held.resign();
    await waitFor('the leader watch told of the resignation', () => fired.leader >= 1);
  });

  it('a LISTEN connection lost wakes every watch at once; while it is down they poll every period', async () => {
    await db.start();
    const { node, connection } = await watcher();
    const before = { ...connection.reads };
    // The server ends every LISTEN connection of baton's channel (the fixture's own is on another).
    await db.fixture.run(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = ?`, [`LISTEN "${tableNames().prefix}changes"`]);
    for (const kind of KINDS) await waitFor(`the ${kind} watch to read on the loss (its clock standing still)`, () => connection.reads[kind] > before[kind]);

    // Down (held down here: the real connection comes back within a second): every period.
    connection.listenDown = true;
    await untilTicking(node);
    const reads = await readsOver(node, PERIODS, true);
    for (const kind of KINDS) assert.ok(reads[kind] >= PERIODS, `the ${kind} watch read ${reads[kind]} times in ${PERIODS} poll periods with the LISTEN connection down`);
  });
});
