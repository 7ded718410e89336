/**
 * Nodes for the PostgreSQL waiter tests (postgres-waiter-wakeup, postgres-handover): each with
 * its own backend, a connection that counts the statements its campaigns send, and a FakeClock
 * as its monotonic clock (the database and its clock are real), so the tests assert counts of
 * statements and of clock steps, never times.
 */
import assert from 'node:assert/strict';
import type { Session, SessionTiming } from '../../src/contract/index.js';
import type { Handover, SqlConnection, WriteOptions } from '../../src/backends/sql/dialect.js';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { FakeClock, flushMicrotasks } from '../../src/testing/fake-clock.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { openConnection, WatchedConnection } from './watched-connection.js';

/** A statement a campaign sends: a take, an insert, a look at the holder, a reap. */
const isCampaignStatement = (sql: string) => /holder_expired|SET holder = \?|INSERT INTO \S*lease|DELETE FROM \S*member\S* WHERE cluster = \? AND session/.test(sql);

/** A KV watch's reading (the versions under its prefix). */
const isKvWatchRead = (sql: string) => /AS k, version, updated_at/.test(sql);

export class CountingConnection extends WatchedConnection {
  campaignStatements = 0;
  kvWatchReads = 0;
  /** While true, announcements never reach this node's listeners (as if lost). */
  deaf = false;
  override run(sql: string, params?: Parameters<WatchedConnection['run']>[1]) {
    if (isCampaignStatement(sql)) this.campaignStatements++;
    if (isKvWatchRead(sql)) this.kvWatchReads++;
    return super.run(sql, params);
  }
  override runAndAnnounce(sql: string, params: Parameters<WatchedConnection['runAndAnnounce']>[1], cluster: string, options?: WriteOptions) {
    if (isCampaignStatement(sql)) this.campaignStatements++;
    return super.runAndAnnounce(sql, params, cluster, options);
  }
  override onAnnounce(cluster: string, listener: (topic: string | undefined, handover?: Handover) => void): () => void {
    return super.onAnnounce(cluster, (topic, handover) => {
      if (!this.deaf) listener(topic, handover);
    });
  }
}

export interface WaiterNode {
  readonly backend: SqlBackend;
  readonly connection: CountingConnection;
  readonly clock: FakeClock;
  readonly session: Session;
}

/** One test's PostgreSQL database and the nodes on it (cluster `c`). */
export class PostgresWaiters {
  readonly #nodes: WaiterNode[] = [];
  #fixture: SqlFixture | undefined;
  /** Markers announced so far (announcementsDelivered). */
  #markers = 0;

  get fixture(): SqlFixture {
    assert.ok(this.#fixture, 'start() first');
    return this.#fixture;
  }

  async start(): Promise<void> {
    this.#fixture = await createPostgresFixture();
  }

  async close(): Promise<void> {
    for (const node of this.#nodes.splice(0)) await node.backend.close().catch(() => undefined);
    await this.#fixture?.teardown();
    this.#fixture = undefined;
  }

  /** A node with its own backend and FakeClock; `counting` wraps its connection (a subclass may count more). */
  async node(nodeId: string, timing: SessionTiming, counting = (inner: SqlConnection) => new CountingConnection(inner)): Promise<WaiterNode> {
    const connection = counting(await openConnection(this.fixture));
    const clock = new FakeClock();
    const backend = await SqlBackend.open('postgres', connection, { cluster: 'c', clock, pollIntervalMs: timing.pollIntervalMs });
    const session = await backend.openSession({ nodeId, info: {}, timing });
    const opened = { backend, connection, clock, session };
    this.#nodes.push(opened);
    return opened;
  }

  /**
   * Resolves once every announcement made so far has reached `waiter` (they arrive in commit
   * order): one left in flight, such as the holder's take, would wake its campaign later. The
   * marker is announced for a topic nobody follows, so it wakes nobody itself, and only the
   * marker counts as seen: another announcement still in flight (the holder's take, or a
   * member insert's whole-cluster one) is not it, and a whole-cluster marker arriving after
   * the waiter parked would wake its campaign.
   */
  async announcementsDelivered(waiter: WaiterNode): Promise<void> {
    const marker = `delivered-${++this.#markers}`;
    let seen = false;
    const unsubscribe = waiter.connection.onAnnounce('c', (topic) => (seen ||= topic === marker));
    try {
      await this.fixture.run('SELECT pg_notify(?, ?)', [`${tableNames().prefix}changes`, `c/${marker}`]);
      await waitFor('our own announcement to reach the waiter', () => seen);
    } finally {
      unsubscribe();
    }
  }

  /**
   * Resolves once `waiter`'s campaign has looked at the live holder (`statements` more campaign
   * statements than `before`: a take and a look, or a look alone after a handover to another)
   * and gone to sleep (`sleeps` pending on its clock: the renewal loop's pause, the session
   * deadline's and the campaign's; more with a watch).
   */
  async parked(waiter: WaiterNode, { before = 0, statements = 2, sleeps = 3 } = {}): Promise<void> {
    await waitFor('the waiting campaign to look at the holder', () => waiter.connection.campaignStatements >= before + statements);
    await waitFor('the waiting campaign to sleep', () => waiter.clock.pendingSleeps >= sleeps);
    await flushMicrotasks();
  }

  /** Raw UPDATE from another connection: the lease freed without any NOTIFY (one that got lost). */
  async releaseSilently(election: string): Promise<void> {
    const { changes } = await this.fixture.run(`UPDATE ${tableNames().lease} SET holder = NULL WHERE cluster = 'c' AND name = ?`, [election]);
    assert.equal(changes, 1);
  }

  /** The lease row of `election`: its holder session (null when free) and term. */
  async lease(election: string): Promise<{ holder: string | null; term: number }> {
    const row = (await this.fixture.run(`SELECT holder, term FROM ${tableNames().lease} WHERE cluster = 'c' AND name = ?`, [election])).rows[0];
    return { holder: (row?.['holder'] as string | null) ?? null, term: Number(row?.['term']) };
  }

  /** The sessions waiting for `election`, in the queue's order. */
  async queue(election: string): Promise<string[]> {
    const { rows } = await this.fixture.run(`SELECT session FROM ${tableNames().waiter} WHERE cluster = 'c' AND name = ? ORDER BY since, session`, [election]);
    return rows.map((r) => String(r['session']));
  }
}
