/**
 * Refuses, at open, a table prefix whose table names are already taken by another program's
 * tables. Migrations create tables with `CREATE TABLE IF NOT EXISTS`, which leaves a foreign table
 * of the same name in place; the node would then report "started" and fail on every statement
 * (a missing column) for ever. The classic case is Amoro's database: with prefix `ha_`, baton's
 * lease table would be `ha_lease`, the name of Amoro's HA lease table (cluster_name,
 * service_name, node_id, node_ip, server_info_json, lease_expire_ts, version, updated_at).
 *
 * A table is baton's when it has the columns baton's first schema gave it; a table that exists
 * without them is foreign, and opening stops with a ConfigError naming the table, the columns it
 * has and the ones it lacks. Later migrations only add columns, so every version of baton's
 * tables passes. Tables that do not exist yet pass too (migrations create them).
 */
import { ConfigError } from '../../errors.js';
import type { SqlExecutor, SqlDialect } from './dialect.js';
import type { TableNames } from './table-prefix.js';

/** The columns every version of each baton table has (the first schema's identifying ones). */
const BATON_COLUMNS: Readonly<Record<'lease' | 'member' | 'kv' | 'waiter' | 'migrations', readonly string[]>> = Object.freeze({
  lease: ['cluster', 'name', 'holder', 'term', 'version', 'expires_at'],
  member: ['cluster', 'node_id', 'session', 'info', 'expires_at'],
  kv: ['cluster', 'key', 'value', 'version', 'updated_at'],
  // Since schema version 4.
  waiter: ['cluster', 'name', 'session', 'node_id', 'ticket', 'since'],
  migrations: ['version', 'description', 'applied_at'],
});

/** The query listing a table's column names (empty: no such table), per engine. */
function columnsQuery(dialect: SqlDialect): string {
  switch (dialect.name) {
    case 'sqlite':
      return 'SELECT name FROM pragma_table_info(?)';
    case 'postgres':
      return 'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?';
    case 'mysql':
      return 'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?';
  }
}

/** The lower-case column names of `table` (none: no such table). */
export async function tableColumns(executor: SqlExecutor, dialect: SqlDialect, table: string): Promise<string[]> {
  const { rows } = await executor.run(columnsQuery(dialect), [table]);
  return rows.map((r) => String(r['name'] ?? r['NAME']).toLowerCase());
}

/**
 * Steps: for each of the prefix's tables, 1. list its columns; 2. none: it does not exist, fine;
 * 3. some of baton's columns missing: a foreign table, ConfigError('store.tablePrefix').
 */
export async function checkTableShapes(executor: SqlExecutor, dialect: SqlDialect, tables: TableNames): Promise<void> {
  const roles = Object.keys(BATON_COLUMNS) as (keyof typeof BATON_COLUMNS)[];
  // Read side by side (independent reads; a pool runs them at once): one round trip, not five.
  const columns = await Promise.all(roles.map((role) => tableColumns(executor, dialect, tables[role])));
  for (const [index, role] of roles.entries()) {
    const table = tables[role];
    const present = columns[index] as string[];
    if (present.length === 0) continue;
    const missing = BATON_COLUMNS[role].filter((column) => !present.includes(column));
    if (missing.length === 0) continue;
    throw new ConfigError(
      'store.tablePrefix',
      `table "${table}" already exists and is not baton's ${role} table: it has columns (${present.join(', ')}) and lacks (${missing.join(', ')}); ` +
        `another program owns it (Amoro's HA lease table is "ha_lease"). Choose a table prefix no other program uses (store.tablePrefix, default "baton_")`,
    );
  }
}
