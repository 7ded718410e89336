/**
 * Issue 12 on PostgreSQL: a statement that releases (hands over) many elections finds each row
 * it names by primary key, whatever the planner knows of the table. A store filled within
 * seconds (a cold start of 100,000 buckets) has no statistics yet; the join of the offered
 * rows with the lease table was then planned as a scan of every lease row of the cluster per
 * statement (57 ms idle, ~250 ms on 2 busy cores at 100,000 rows), and a node leaving with
 * 33,333 items spent 12 s in its 131 release statements. Counted here: the lease rows the
 * statement reads, from EXPLAIN ANALYZE, on a table that was never analyzed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import { buildStatements } from '../../src/backends/sql/statements.js';
import { postgresDialect } from '../../src/backends/sql/postgres/dialect.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { createPostgresFixture } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';

const ROWS = 20_000;
const RELEASED = 16;

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Actual Rows': number;
  readonly 'Actual Loops': number;
  readonly 'Rows Removed by Filter'?: number;
  readonly 'Rows Removed by Index Recheck'?: number;
  readonly Plans?: readonly PlanNode[];
}

/** Lease rows the plan's scans of the lease table returned or filtered out, over all loops (each row is looked up twice: locked, then updated). */
function leaseRowsRead(node: PlanNode, lease: string): number {
  const own = node['Relation Name'] === lease && node['Node Type'].endsWith('Scan') ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * node['Actual Loops'] : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + leaseRowsRead(child, lease), 0);
}

describe('postgres: releasing many elections reads only their rows', () => {
  let fixture: SqlFixture;
  before(async () => {
    fixture = await createPostgresFixture();
    const backend = await openStore(fixture.url, { cluster: 'c1' }); // creates the tables
    await backend.close();
  });
  after(() => fixture?.teardown());

  it(`${RELEASED} of ${ROWS} rows, the table never analyzed`, async () => {
    const { lease } = tableNames();
    const held = `INSERT INTO ${lease} (cluster, name, holder, holder_node, term, version, expires_at, acquired_at, renewed_at, info)`;
    await fixture.run(`${held} SELECT 'c1', 'item/' || LPAD(g::text, 6, '0'), 's' || (g % 2), 'n', 1, 1, 0, 0, 0, '{}' FROM generate_series(1, ${ROWS}) g`);
    const names = Array.from({ length: RELEASED }, (_, i) => `item/${String(ROWS - 2 * i).padStart(6, '0')}`).sort();
    const rows = JSON.stringify(names.map((n) => ({ n, h: 's0', t: 1 })));
    const statement = buildStatements(postgresDialect, tableNames()).leaseHandOverMany!;
    const { rows: explained } = await fixture.run(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`, [rows, 'c1']);
    const plan = (explained[0]?.['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
    const read = leaseRowsRead(plan, lease);
    assert.ok(read <= 2 * RELEASED, `the statement read ${read} lease rows to release ${RELEASED}`);
    const released = await fixture.run(`SELECT COUNT(*) AS n FROM ${lease} WHERE holder IS NULL`);
    assert.equal(Number(released.rows[0]?.['n']), RELEASED);
  });
});
