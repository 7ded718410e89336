/**
 * Issue 18, PostgreSQL: every statement baton sends through its pool is a named prepared
 * statement, parsed once per connection (statement-names.ts), so the take and the release of a
 * handoff skip the server's parse and plan. Real server; the pool's one connection is seen
 * through pg_prepared_statements, which lists a session's named statements only.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { SqlConnection } from '../../src/backends/sql/dialect.js';
import { openPostgresConnection } from '../../src/backends/sql/postgres/connection.js';
import { StatementNames } from '../../src/backends/sql/postgres/statement-names.js';
import { tableNames } from '../../src/backends/sql/table-prefix.js';
import { createPostgresFixture, postgresUrl } from '../support/postgres-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';

describe('postgres: statements are prepared once per connection', () => {
  let fixture: SqlFixture | undefined;
  let connection: SqlConnection | undefined;
  afterEach(async () => {
    await connection?.close();
    await fixture?.teardown();
    connection = fixture = undefined;
  });

  it('a statement run twice is one named prepared statement of the connection', async () => {
    fixture = await createPostgresFixture();
    connection = await openPostgresConnection(postgresUrl(fixture.database), `${tableNames().prefix}changes`);
    const statement = 'SELECT ?::int + 1 AS next';
    // One after the other: the pool hands out its one idle connection each time.
    assert.deepEqual((await connection.run(statement, [1])).rows, [{ next: 2 }]);
    assert.deepEqual((await connection.run(statement, [2])).rows, [{ next: 3 }]);
    const { rows } = await connection.run('SELECT statement FROM pg_prepared_statements');
    const prepared = rows.map((r) => String(r['statement']));
    assert.equal(prepared.filter((text) => text === 'SELECT $1::int + 1 AS next').length, 1, `prepared: ${JSON.stringify(prepared)}`);
  });

  it('names the same text alike, other texts apart, and none past its cap', () => {
    const names = new StatementNames(2);
    const first = names.nameOf('SELECT 1');
    assert.ok(first !== undefined);
    assert.equal(names.nameOf('SELECT 1'), first);
    const second = names.nameOf('SELECT 2');
    assert.ok(second !== undefined && second !== first);
    assert.equal(names.nameOf('SELECT 3'), undefined, 'a third text past a cap of 2 got a name');
    assert.equal(names.nameOf('SELECT 1'), first);
  });
});
