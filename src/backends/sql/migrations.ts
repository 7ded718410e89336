/**
 * The stored layout (DESIGN.md "Stored layout") as versioned migrations, written once over
 * each dialect's column types, and the runner that applies them at open.
 */
import type { DialectName, SqlConnection, SqlDialect, SqlExecutor } from './dialect.js';
import type { ColumnTypes } from './column-types.js';
import type { TableNames } from './table-prefix.js';
import { tableNames } from './table-prefix.js';
import { postgresDialect } from './postgres/dialect.js';
import { postgresColumns } from './postgres/ddl.js';
import { mysqlDialect } from './mysql/dialect.js';
import { mysqlColumns } from './mysql/ddl.js';
import { sqliteDialect } from './sqlite/dialect.js';
import { sqliteColumns } from './sqlite/ddl.js';
import { InvalidArgumentError, NotFoundError, StateError } from '../../errors.js';

interface Migration {
  readonly version: number;
  readonly description: string;
  statements(t: TableNames, c: ColumnTypes, d: SqlDialect): string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'lease, member and kv tables',
    statements: (t, c, d) => [
      `CREATE TABLE IF NOT EXISTS ${d.quote(t.lease)} (
  cluster ${c.name} NOT NULL,
  name ${c.key} NOT NULL,
  holder ${c.name} NULL,
  holder_node ${c.name} NULL,
  term ${c.integer} NOT NULL,
  version ${c.integer} NOT NULL,
  expires_at ${c.integer} NOT NULL,
  acquired_at ${c.integer} NOT NULL,
  renewed_at ${c.integer} NOT NULL,
  info ${c.document} NULL,
  PRIMARY KEY (cluster, name)
)${c.tableOptions}`,
      `CREATE TABLE IF NOT EXISTS ${d.quote(t.member)} (
  cluster ${c.name} NOT NULL,
  node_id ${c.name} NOT NULL,
  session ${c.name} NOT NULL,
  info ${c.document} NOT NULL,
  expires_at ${c.integer} NOT NULL,
  joined_at ${c.integer} NOT NULL,
  renewed_at ${c.integer} NOT NULL,
  PRIMARY KEY (cluster, node_id)
)${c.tableOptions}`,
      `CREATE TABLE IF NOT EXISTS ${d.quote(t.kv)} (
  cluster ${c.name} NOT NULL,
  ${d.quote('key')} ${c.key} NOT NULL,
  value ${c.document} NOT NULL,
  version ${c.integer} NOT NULL,
  updated_at ${c.integer} NOT NULL,
  PRIMARY KEY (cluster, ${d.quote('key')})
)${c.tableOptions}`,
    ],
  },
  {
    version: 2,
    description: 'kv tombstones: a deleted key keeps its version, so versions never repeat',
    statements: (t, c, d) => [`ALTER TABLE ${d.quote(t.kv)} ADD COLUMN deleted ${c.integer} NOT NULL DEFAULT 0`],
  },
  {
    version: 3,
    description: 'leases live with their holder\'s session: indexes to find a session\'s member row and its leases',
    // No row changes: a lease row taken before this version keeps its own expires_at, renewed
    // by its holder's older process, and stays held until then (statements.ts leaseHeld);
    // leases taken from now on carry SESSION_BOUND_EXPIRES_AT and live with the member row.
    //  - member (cluster, session): the join of every lease check (take, fence, leader read);
    //  - lease (cluster, holder): each session's read of its own leases every retry period.
    statements: (t, c, d) => [
      `CREATE INDEX${c.indexIfNotExists} ${d.quote(`${t.prefix}member_session`)} ON ${d.quote(t.member)} (cluster, session)`,
      `CREATE INDEX${c.indexIfNotExists} ${d.quote(`${t.prefix}lease_holder`)} ON ${d.quote(t.lease)} (cluster, holder)`,
    ],
  },
  {
    version: 4,
    description: 'waiters: a campaign waiting for a lease registers, and a graceful release hands the lease to the longest-waiting live one',
    // One row per waiting campaign (cluster, election, session): the node and leader info the
    // lease takes when handed over, the campaign's ticket (which campaign of the session it
    // is), and since when it waits on the DB clock (the handover's order). Only engines that
    // announce changes use it (dialect.ts handsOver); the table is created everywhere, so the
    // schema stays one for all dialects. Index (cluster, session): a closed or reaped
    // session's rows are deleted by session.
    statements: (t, c, d) => [
      `CREATE TABLE IF NOT EXISTS ${d.quote(t.waiter)} (
  cluster ${c.name} NOT NULL,
  name ${c.key} NOT NULL,
  session ${c.name} NOT NULL,
  node_id ${c.name} NOT NULL,
  ticket ${c.name} NOT NULL,
  info ${c.document} NOT NULL,
  since ${c.integer} NOT NULL,
  PRIMARY KEY (cluster, name, session)
)${c.tableOptions}`,
      `CREATE INDEX${c.indexIfNotExists} ${d.quote(`${t.prefix}waiter_session`)} ON ${d.quote(t.waiter)} (cluster, session)`,
    ],
  },
];

const ENGINES: Readonly<Record<DialectName, { dialect: SqlDialect; columns: ColumnTypes }>> = {
  sqlite: { dialect: sqliteDialect, columns: sqliteColumns },
  postgres: { dialect: postgresDialect, columns: postgresColumns },
  mysql: { dialect: mysqlDialect, columns: mysqlColumns },
};

function migrationsTable(t: TableNames, c: ColumnTypes, d: SqlDialect): string {
  return `CREATE TABLE IF NOT EXISTS ${d.quote(t.migrations)} (
  version ${c.integer} NOT NULL PRIMARY KEY,
  description ${c.document} NOT NULL,
  applied_at ${c.integer} NOT NULL
)${c.tableOptions}`;
}

function recordMigration(t: TableNames, d: SqlDialect): string {
  return `INSERT INTO ${d.quote(t.migrations)} (version, description, applied_at) VALUES (?, ?, ${d.nowMs})`;
}

/**
 * The whole schema of `dialect` as SQL text, for a DBA who applies it by hand (then open the
 * store with `migrate: false`). Throws ConfigError for a bad prefix.
 */
export function schemaDdl(dialect: DialectName, tablePrefix?: string): string {
  const engine = ENGINES[dialect];
  if (engine === undefined) {
    throw new InvalidArgumentError(`unknown SQL dialect "${String(dialect)}": use sqlite, postgres or mysql`);
  }
  const t = tableNames(tablePrefix);
  const { dialect: d, columns: c } = engine;
  const parts = [migrationsTable(t, c, d)];
  for (const m of MIGRATIONS) {
    parts.push(...m.statements(t, c, d));
    const literal = `'${m.description.replaceAll("'", "''")}'`;
    parts.push(recordMigration(t, d).replace('?, ?', `${m.version}, ${literal}`));
  }
  return `${parts.join(';\n\n')};\n`;
}

/**
 * Runs one migration statement. A column or index that already exists was added by a run that
 * stopped before recording its version (MySQL commits each DDL statement at once; PostgreSQL's
 * and SQLite's DDL commits with the record, so they never get here): it is done, not an error.
 */
async function runIdempotent(ex: SqlExecutor, d: SqlDialect, statement: string): Promise<void> {
  try {
    await ex.run(statement);
  } catch (error) {
    if (!d.isAlreadyApplied(error)) throw error;
  }
}

/**
 * Applies every migration the store lacks. Safe when several processes open the store at once:
 *  1. read which versions are applied, without a lock: all of them, nothing to do (a version is
 *     recorded only after its statements ran). Nodes restarted together then open the store
 *     side by side instead of one after another behind the lock (10 nodes at once on
 *     PostgreSQL: up to 1.3 s for the last one at load 11, six round trips each under the lock);
 *  2. otherwise take the dialect's migration lock (SQLite: the write lock; PostgreSQL: an
 *     advisory transaction lock; MySQL: GET_LOCK), so one process migrates while the others wait;
 *  3. create the migrations table if needed and read which versions are applied;
 *  4. run each missing migration's statements (idempotent: CREATE ... IF NOT EXISTS, and see
 *     runIdempotent) and record its version.
 */
export async function migrate(connection: SqlConnection, tables: TableNames): Promise<void> {
  const d = connection.dialect;
  const c = ENGINES[d.name].columns;
  const applied = await appliedVersions(connection, tables);
  if (applied !== null && MIGRATIONS.every((m) => applied.has(m.version))) return;
  await connection.withMigrationLock(`${tables.prefix}migrate`, async (ex: SqlExecutor) => {
    await ex.run(migrationsTable(tables, c, d));
    const { rows } = await ex.run(`SELECT version FROM ${d.quote(tables.migrations)}`);
    const applied = new Set(rows.map((r) => Number(r['version'])));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const statement of m.statements(tables, c, d)) await runIdempotent(ex, d, statement);
      await ex.run(recordMigration(tables, d), [m.version, m.description]);
    }
  });
}

/**
 * For a reader, which must create nothing: checks that the store holds baton's tables at the
 * latest version, without taking the migration lock. NotFoundError('store') when there are no
 * baton tables under this prefix; StateError when they lack a migration (a node of this
 * version applies it at start-up, or `baton schema` prints it).
 */
export async function requireSchema(connection: SqlConnection, tables: TableNames): Promise<void> {
  const d = connection.dialect;
  const applied = await appliedVersions(connection, tables);
  if (applied === null) {
    throw new NotFoundError('store', `no baton data here: the database has no baton tables (${tables.migrations} is missing); check the store URL and the table prefix, or start a node first`);
  }
  const missing = MIGRATIONS.filter((m) => !applied.has(m.version)).map((m) => m.version);
  if (missing.length > 0) {
    throw new StateError(`baton's tables (prefix ${tables.prefix}) lack schema version${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: start a node of this version (it migrates) or apply "baton schema --dialect ${d.name}"`);
  }
}

/** The schema versions recorded in the migrations table; null when there is no such table. */
async function appliedVersions(connection: SqlConnection, tables: TableNames): Promise<Set<number> | null> {
  const d = connection.dialect;
  if ((await connection.run(d.tableExists, [tables.migrations])).rows.length === 0) return null;
  const { rows } = await connection.run(`SELECT version FROM ${d.quote(tables.migrations)}`);
  return new Set(rows.map((r) => Number(r['version'])));
}
