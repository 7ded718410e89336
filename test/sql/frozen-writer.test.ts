/**
 * A leader freezes (a silent network fault: its TCP connections stay open, nothing is
 * forwarded) right after the store answered a statement of its fenced KV write, or inside a
 * transaction that locks its lease row. Whatever it holds on the server must not delay a
 * takeover: another node leads within one retry period (plus slack) after the frozen leader's
 * lease expired (issue 10, case 6). Every pooled connection carries the server-side bounds
 * that guarantee it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Backend, Leadership } from '../../src/contract/index.js';
import { DEFAULT_TIMING } from '../../src/contract/timing.js';
import { openStore } from '../../src/backends/open-store.js';
import type { SqlConnection, SqlDialect } from '../../src/backends/sql/dialect.js';
import { mysqlDialect } from '../../src/backends/sql/mysql/dialect.js';
import { postgresDialect } from '../../src/backends/sql/postgres/dialect.js';
import { openMysqlConnection } from '../../src/backends/sql/mysql/connection.js';
import { openPostgresConnection } from '../../src/backends/sql/postgres/connection.js';
import { SqlBackend } from '../../src/backends/sql/sql-backend.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import type { BackendKind } from '../../src/contract/contract.js';
import { createMysqlFixture, MYSQL_HOST, MYSQL_PORT, mysqlUrl } from '../support/mysql-fixture.js';
import { createPostgresFixture, POSTGRES_HOST, POSTGRES_PORT, postgresUrl } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitFor, withTimeout } from '../support/wait.js';
import { FreezingConnection } from './freezing-connection.js';
import { SQL_TEST_TIMING } from './sql-harness.js';

const timing = SQL_TEST_TIMING;
/**
 * How long after the freeze another node must lead, on this process's monotonic clock: the
 * frozen leader's lease expires at most ttlMs after the freeze (its last renewal came before);
 * then a waiting campaigner retries within one retry period. Two more periods absorb a loaded
 * machine; a takeover that waits on the frozen writer never comes at all.
 */
const TAKEOVER_BOUND_MS = timing.ttlMs + 3 * timing.retryPeriodMs;

interface Engine {
  readonly kind: BackendKind;
  readonly dialect: SqlDialect;
  /** The server-side bounds every baton connection must carry. */
  readonly boundNames: readonly string[];
  /** Those bounds as the server reports them for `connection`, in ms. */
  serverBoundsMs(connection: SqlConnection): Promise<Record<string, number>>;
  readonly host: string;
  readonly port: number;
  createFixture(): Promise<SqlFixture>;
  connect(fixture: SqlFixture, proxyPort: number): Promise<SqlConnection>;
}

const ENGINES: readonly Engine[] = [
  {
    kind: 'postgres',
    dialect: postgresDialect,
    boundNames: ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'],
    async serverBoundsMs(connection) {
      const { rows } = await connection.run(
        "SELECT name, setting FROM pg_settings WHERE name IN ('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout')",
      );
      return Object.fromEntries(rows.map((r) => [String(r['name']), Number(r['setting'])])); // pg_settings reports these in ms
    },
    host: POSTGRES_HOST,
    port: POSTGRES_PORT,
    createFixture: createPostgresFixture,
    connect: (f, port) => openPostgresConnection(postgresUrl(f.database, port), `${tableNames().prefix}changes`),
  },
  {
    kind: 'mysql',
    dialect: mysqlDialect,
    boundNames: ['max_statement_time', 'innodb_lock_wait_timeout', 'lock_wait_timeout', 'idle_transaction_timeout'],
    async serverBoundsMs(connection) {
      const { rows } = await connection.run(
        'SELECT @@session.max_statement_time AS max_statement_time, @@session.innodb_lock_wait_timeout AS innodb_lock_wait_timeout, ' +
          '@@session.lock_wait_timeout AS lock_wait_timeout, @@session.idle_transaction_timeout AS idle_transaction_timeout',
      );
      return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([name, seconds]) => [name, Number(seconds) * 1000]));
    },
    host: MYSQL_HOST,
    port: MYSQL_PORT,
    createFixture: createMysqlFixture,
    connect: (f, port) => openMysqlConnection(mysqlUrl(f.database, port)),
  },
];

/** Leader A, connected through a proxy that can freeze it, and B campaigning for the same election. */
interface Scene {
  readonly proxy: TcpProxy;
  readonly connection: FreezingConnection;
  readonly a: SqlBackend;
  readonly leaderA: Leadership;
  /** Resolves with B's leadership and the monotonic time it began. */
  readonly campaignB: Promise<{ leadership: Leadership; at: number }>;
  readonly b: Backend;
  readonly cluster: string;
}

async function setUp(engine: Engine, fixture: SqlFixture, cleanups: (() => Promise<unknown>)[]): Promise<Scene> {
  const cluster = `frozen-${randomBytes(4).toString('hex')}`;
  const proxy = await TcpProxy.start(engine.host, engine.port);
  cleanups.push(() => proxy.close());
  const connection = new FreezingConnection(await engine.connect(fixture, proxy.port));
  const a = await SqlBackend.open(engine.kind, connection, { cluster, pollIntervalMs: timing.pollIntervalMs });
  cleanups.push(() => a.close(), () => proxy.close()); // cut first: a frozen connection would hold the close up
  const b = await openStore(fixture.url, { cluster, pollIntervalMs: timing.pollIntervalMs });
  cleanups.push(() => b.close());
  const sessionA = await a.openSession({ nodeId: 'a', info: {}, timing });
  const leaderA = await sessionA.campaign('leader', { node: 'a' });
  await a.kv.put('owned/x', 1, { fence: leaderA.fence });
  const sessionB = await b.openSession({ nodeId: 'b', info: {}, timing });
  const campaignB = sessionB.campaign('leader', { node: 'b' }).then((leadership: Leadership) => ({ leadership, at: performance.now() }));
  return { proxy, connection, a, leaderA, campaignB, b, cluster };
}

/** B must lead within TAKEOVER_BOUND_MS of the freeze, with a newer term, and write with it. */
async function assertTakenOver(scene: Scene, frozeAt: number): Promise<void> {
  const { leadership, at } = await withTimeout('B to take over', scene.campaignB, TAKEOVER_BOUND_MS);
  assert.ok(leadership.term > scene.leaderA.term, `term ${leadership.term} after ${scene.leaderA.term}`);
  assert.ok(at - frozeAt <= TAKEOVER_BOUND_MS, `B led ${(at - frozeAt).toFixed(0)} ms after the freeze`);
  await scene.b.kv.put('owned/x', 3, { fence: leadership.fence });
  assert.equal((await scene.b.kv.get('owned/x'))?.value, 3);
}

for (const engine of ENGINES) {
  describe(`a writer frozen inside a fenced write: ${engine.kind}`, () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    let fixture: SqlFixture;
    before(async () => {
      fixture = await engine.createFixture();
    });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    });
    after(() => fixture.teardown());

    it('does not delay the takeover of its lease past expiry plus one retry period', async () => {
      const scene = await setUp(engine, fixture, cleanups);
      let frozeAt = Number.NaN;
      scene.connection.freezeAfterKvWrite(() => {
        scene.proxy.stall();
        frozeAt = performance.now();
      });
      const abandon = new AbortController();
      cleanups.push(async () => abandon.abort());
      scene.a.kv.put('owned/x', 2, { fence: scene.leaderA.fence, signal: abandon.signal }).catch(() => undefined); // may never be answered
      await waitFor('the writer to freeze', () => scene.proxy.isStalled);
      await assertTakenOver(scene, frozeAt);
    });

    it('a client frozen inside a transaction that locks the lease row loses the lock to the server-side bound', async () => {
      const scene = await setUp(engine, fixture, cleanups);
      const lease = engine.dialect.quote(tableNames().lease);
      let frozeAt = Number.NaN;
      const locked = scene.connection
        .transaction(async (tx) => {
          await tx.run(`SELECT term FROM ${lease} WHERE cluster = ? AND name = ? FOR UPDATE`, [scene.cluster, 'leader']);
          scene.proxy.stall();
          frozeAt = performance.now();
          await tx.run('SELECT 1'); // never answered while frozen
        })
        .catch(() => undefined);
      cleanups.push(() => locked);
      await waitFor('the client to freeze', () => scene.proxy.isStalled);
      await assertTakenOver(scene, frozeAt);
    });

    it('every pooled connection carries server-side bounds below ttlMs - renewDeadlineMs (defaults)', async () => {
      const connection = await engine.connect(fixture, engine.port);
      cleanups.push(() => connection.close());
      const margin = DEFAULT_TIMING.ttlMs - DEFAULT_TIMING.renewDeadlineMs;
      const bounds = await engine.serverBoundsMs(connection);
      assert.deepEqual(Object.keys(bounds).sort(), [...engine.boundNames].sort());
      for (const [name, ms] of Object.entries(bounds)) assert.ok(ms > 0 && ms < margin, `${name} = ${ms} ms, not in (0, ${margin})`);
    });
  });
}
