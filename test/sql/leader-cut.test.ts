/**
 * The leader loses its store connection (PostgreSQL and MySQL: every TCP connection cut
 * through a proxy; SQLite: every statement fails). Its leadership must end on its own clock
 * before its lease can expire; the other node may lead only after the lease expired on the DB
 * clock; the two leadership intervals, on this process's monotonic clock, must not overlap.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { Backend, Leadership } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { openSqliteConnection } from '../../src/backends/sql/sqlite/connection.js';
import { FencedError, isBatonError } from '../../src/errors.js';
import { createMysqlFixture, MYSQL_HOST, MYSQL_PORT, mysqlUrl } from '../support/mysql-fixture.js';
import { createPostgresFixture, POSTGRES_HOST, POSTGRES_PORT, postgresUrl } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { createSqliteFixture } from '../support/sqlite-fixture.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor, waitForAbort, withTimeout } from '../support/wait.js';
import { FaultyConnection } from './faulty-connection.js';
import { SQL_TEST_TIMING } from './sql-harness.js';

const timing = SQL_TEST_TIMING;

interface CutLeader {
  readonly backend: Backend;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

interface Case {
  readonly name: string;
  createFixture(): Promise<SqlFixture>;
  openCuttable(fixture: SqlFixture, cluster: string): Promise<CutLeader>;
}

async function throughProxy(host: string, port: number, url: (proxyPort: number) => string, cluster: string): Promise<CutLeader> {
  const proxy = await TcpProxy.start(host, port);
  const backend = await openStore(url(proxy.port), { cluster, pollIntervalMs: timing.pollIntervalMs }).catch(async (error: unknown) => {
    await proxy.close();
    throw error;
  });
  return { backend, cut: () => proxy.cut(), restore: () => proxy.restore(), close: () => proxy.close() };
}

const cases: Case[] = [
  {
    name: 'postgres',
    createFixture: createPostgresFixture,
    openCuttable: (f, cluster) => throughProxy(POSTGRES_HOST, POSTGRES_PORT, (p) => postgresUrl(f.database, p), cluster),
  },
  {
    name: 'mysql',
    createFixture: createMysqlFixture,
    openCuttable: (f, cluster) => throughProxy(MYSQL_HOST, MYSQL_PORT, (p) => mysqlUrl(f.database, p), cluster),
  },
  {
    name: 'sqlite',
    createFixture: createSqliteFixture,
    async openCuttable(f, cluster) {
      const connection = new FaultyConnection(await openSqliteConnection(f.database));
      const backend = await SqlBackend.open('sqlite', connection, { cluster, pollIntervalMs: timing.pollIntervalMs });
      return { backend, cut: () => connection.cut(), restore: () => connection.restore(), close: async () => undefined };
    },
  },
];

for (const c of cases) {
  describe(`leader cut off from the store: ${c.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    });

    it('stops before its lease expires; the successor starts only after expiry on the DB clock; no overlap', async () => {
      const fixture = await c.createFixture();
      cleanups.push(() => fixture.teardown());
      const cluster = `cut-${randomBytes(4).toString('hex')}`;
      const a = await c.openCuttable(fixture, cluster);
      cleanups.push(() => a.close(), () => a.backend.close());
      const b = await openStore(fixture.url, { cluster, pollIntervalMs: timing.pollIntervalMs });
      cleanups.push(() => b.close());

      // Successful renewals of A's session (which keep its lease), with their latency.
      let okRenewals = 0;
      let maxLatency = 0;
      const sessionA = await a.backend.openSession({
        nodeId: 'a', info: {}, timing,
        onRenewal: (latencyMs, ok) => {
          if (!ok) return;
          okRenewals++;
          maxLatency = Math.max(maxLatency, latencyMs);
        },
      });
      const leaderA = await sessionA.campaign('leader', { node: 'a' });
      const startA = performance.now();
      const sessionB = await b.openSession({ nodeId: 'b', info: {}, timing });
      let startB = Number.NaN;
      const campaignB = sessionB.campaign('leader', { node: 'b' }).then((leadership: Leadership) => {
        startB = performance.now();
        return leadership;
      });

      // Let A renew a few times, then cut it off.
      const renewedBefore = okRenewals;
      await waitFor('A renews', () => okRenewals >= renewedBefore + 4);
      assert.ok(Number.isNaN(startB), 'B led while A renewed its lease');
      const cutAt = performance.now();
      a.cut();

      await waitForAbort("A's leadership signal", leaderA.signal, timing.ttlMs * 2);
      const abortA = performance.now();
      // A's last successful session renewal started at most one period (plus two latencies) before the cut.
      const sinceLastRenewal = abortA - cutAt + timing.retryPeriodMs + 2 * maxLatency;
      assert.ok(sinceLastRenewal < timing.ttlMs, `A stopped ${sinceLastRenewal.toFixed(0)} ms after its last renewal, not before ttlMs ${timing.ttlMs}`);

      // The lease lives as long as its holder's member row: it expires when that row does.
      const [row] = (
        await fixture.run('SELECT l.holder, m.expires_at FROM baton_lease l JOIN baton_member m ON m.cluster = l.cluster AND m.session = l.holder WHERE l.cluster = ? AND l.name = ?', [cluster, 'leader'])
      ).rows;
      assert.equal(row?.['holder'], sessionA.id, 'the lease changed hands (or its session row was deleted) before A stopped');
      const expiresA = Number(row?.['expires_at']);

      const leaderB = await withTimeout('B to lead', campaignB, timing.ttlMs * 3);
      const record = await b.leader('leader');
      assert.equal(record?.sessionId, sessionB.id);
      assert.ok(leaderB.term > leaderA.term, 'the new term is not larger');
      assert.ok((record?.since ?? 0) >= expiresA, `B took over at DB time ${record?.since}, before A's lease expired at ${expiresA}`);
      assert.ok(startA < abortA && abortA < startB, `leadership intervals overlap: A [${startA}, ${abortA}], B from ${startB}`);

      // Back online, A's old term can no longer write.
      a.restore();
      await assert.rejects(a.backend.kv.put('fenced/x', 1, { fence: leaderA.fence }), FencedError);
      assert.equal(await b.kv.get('fenced/x'), null);

      // The same backend opens a new session for "a" once its old member row is gone.
      assert.equal(sessionA.state, 'lost');
      const again = await waitFor(
        'a new session for node a',
        () => a.backend.openSession({ nodeId: 'a', info: {}, timing }).catch((error: unknown) => {
          if (isBatonError(error, 'NODE_ID_IN_USE') || isBatonError(error, 'STORE_UNAVAILABLE')) return undefined;
          throw error;
        }),
        { timeoutMs: timing.ttlMs * 3 },
      );
      assert.equal(again.state, 'live');
      assert.deepEqual((await b.members()).map((m) => m.sessionId).sort(), [again.id, sessionB.id].sort());
    });
  });
}
