/**
 * Issue 12, idle CPU on MariaDB: what an idle node sends periodically besides its polls (its
 * session's renewal and leases' digest, a waiting campaign's look) waits for the polls' next
 * round trip and goes in it (next-batch.ts), so an idle node makes one round trip per poll
 * period. The connection's batches are counted through a wrapper that batches as the MySQL
 * connection does (the same ReadBatcher) and sends each statement of a batch to the real
 * server; the assertion is a count, not a time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { format } from 'mysql2';
import type { Leadership, Session, SessionTiming } from '../../src/contract/index.js';
import type { SqlParam, SqlResult } from '../../src/backends/sql/dialect.js';
import { ReadBatcher } from '../../src/backends/sql/mysql/read-batcher.js';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { createMysqlFixture } from '../support/mysql-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { ForwardingConnection } from './forwarding-connection.js';
import { openConnection } from './watched-connection.js';

const TIMING: SessionTiming = { ttlMs: 6_000, renewDeadlineMs: 3_000, retryPeriodMs: 400, pollIntervalMs: 100 };
/** Renewal periods of the waiting node counted. */
const PERIODS = 6;

/** Batches as the MySQL connection does, counting round trips: batches, and statements sent alone. */
class BatchCountingConnection extends ForwardingConnection {
  batches = 0;
  alone = 0;
  override readonly batchesReads = true;
  readonly #batcher = new ReadBatcher({
    runOne: (sql, params) => this.run(sql, params),
    runMany: async (statements) => {
      this.batches++;
      const results: SqlResult[] = [];
      for (const statement of statements) results.push(await this.inner.run(statement));
      return results;
    },
    format: (sql, params) => format(sql, params as SqlParam[]),
  });

  override run(sql: string, params?: readonly SqlParam[]): Promise<SqlResult> {
    this.alone++;
    return this.inner.run(sql, params);
  }

  override readBatched(sql: string, params: readonly SqlParam[] = []): Promise<SqlResult> {
    return this.#batcher.read(sql, params);
  }

  override runWithNextBatch(sql: string, params: readonly SqlParam[], maxWaitMs: number, onSent?: () => void): Promise<SqlResult> {
    return this.#batcher.withNext(sql, params, maxWaitMs, onSent);
  }
}

describe('mysql: an idle node makes one round trip per poll period', () => {
  let fixture: SqlFixture | undefined;
  const backends: SqlBackend[] = [];
  before(async () => {
    fixture = await createMysqlFixture();
  });
  after(async () => {
    await Promise.all(backends.map((b) => b.close().catch(() => undefined)));
    await fixture?.teardown();
  });

  async function openNode(): Promise<{ backend: SqlBackend; connection: BatchCountingConnection }> {
    const connection = new BatchCountingConnection(await openConnection(fixture!));
    const backend = await SqlBackend.open('mysql', connection, { cluster: 'idle', pollIntervalMs: TIMING.pollIntervalMs });
    backends.push(backend);
    return { backend, connection };
  }

  it('a waiting node watching the leader and the members: its renewal, digest and look ride the polls', async () => {
    const leaderNode = await openNode();
    const leaderSession = await leaderNode.backend.openSession({ nodeId: 'leader', info: {}, timing: TIMING });
    const held: Leadership = await leaderSession.campaign('cluster', {});

    const waiter = await openNode();
    let renewals = 0;
    const session: Session = await waiter.backend.openSession({ nodeId: 'waiter', info: {}, timing: TIMING, onRenewal: (_ms, ok) => void (ok && renewals++) });
    const stop = new AbortController();
    waiter.backend.watchLeader('cluster', () => undefined, { signal: stop.signal });
    waiter.backend.watchMembers(() => undefined, { signal: stop.signal });
    waiter.backend.kv.watch('config/', () => undefined, { signal: stop.signal });
    const campaign = session.campaign('cluster', {}, { signal: stop.signal }).catch(() => undefined);

    // Settled: a few renewals in, the campaign sleeps on its capped look.
    await waitFor('the waiter settled', () => renewals >= 3, { timeoutMs: 20 * TIMING.retryPeriodMs });
    const start = { renewals, batches: waiter.connection.batches, alone: waiter.connection.alone };
    await waitFor(`${PERIODS} more renewals`, () => renewals >= start.renewals + PERIODS, { timeoutMs: 10 * PERIODS * TIMING.retryPeriodMs });
    const periods = renewals - start.renewals;
    const batches = waiter.connection.batches - start.batches;
    const alone = waiter.connection.alone - start.alone;
    stop.abort();
    await campaign;

    const ticksPerPeriod = TIMING.retryPeriodMs / TIMING.pollIntervalMs;
    // Before riding, each period sent the renewal, the digest and the look alone (3 a period).
    assert.ok(alone < periods, `${alone} statements sent alone in ${periods} renewal periods`);
    assert.ok(batches <= (periods + 1) * ticksPerPeriod, `${batches} batches in ${periods} renewal periods of ${ticksPerPeriod} poll ticks`);
    assert.ok(held.held(), 'the leader kept its term');
  });
});
