/**
 * Issue 12, idle CPU on MariaDB: the reads of one turn of the event loop (an idle node's polls,
 * which wake at the same tick) go to the server as one multi-statement query (readBatched), and
 * each still settles with its own rows or its own error. On the real server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlConnection } from '../../src/backends/sql/dialect.js';
import { openMysqlConnection } from '../../src/backends/sql/mysql/connection.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { createMysqlFixture } from '../support/mysql-fixture.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';

const WHO = 'SELECT CONNECTION_ID() AS id, ? AS tag';

describe('mysql: batched reads', () => {
  let fixture: SqlFixture | undefined;
  let connection: SqlConnection | undefined;
  before(async () => {
    fixture = await createMysqlFixture();
    connection = await openMysqlConnection(fixture.url);
    await connection.run('CREATE TABLE kept (v INT)');
    await connection.run('INSERT INTO kept VALUES (1)');
  });
  after(async () => {
    await connection?.close();
    await fixture?.teardown();
  });

  it('reads of one turn share one connection and round trip; each gets its own rows', async () => {
    const tags = ['a', 'b', 'c'];
    const batched = await Promise.all(tags.map((tag) => connection!.readBatched(WHO, [tag])));
    assert.deepEqual(
      batched.map((r) => r.rows.map((row) => String(row['tag']))),
      tags.map((tag) => [tag]),
    );
    assert.equal(new Set(batched.map((r) => Number(r.rows[0]?.['id']))).size, 1, 'one connection answered all three');
    // The same three through `run` at once spread over the pool: the check above can fail.
    const alone = await Promise.all(tags.map((tag) => connection!.run(WHO, [tag])));
    assert.ok(new Set(alone.map((r) => Number(r.rows[0]?.['id']))).size > 1, 'the pool ran them side by side');
  });

  it('a read that fails fails alone: the others of its batch still get their rows', async () => {
    const [before, broken, afterwards] = await Promise.allSettled([
      connection!.readBatched('SELECT v FROM kept'),
      connection!.readBatched('SELECT v FROM no_such_table'),
      connection!.readBatched(WHO, ['z']),
    ]);
    assert.deepEqual(before.status === 'fulfilled' && before.value.rows, [{ v: 1 }]);
    assert.ok(broken.status === 'rejected' && broken.reason instanceof StoreUnavailableError, 'the missing table is its own error');
    assert.equal(afterwards.status === 'fulfilled' && afterwards.value.rows[0]?.['tag'], 'z');
  });

  it('a parameter is data, never a statement of the batch', async () => {
    const evil = "x'; DROP TABLE kept; --";
    const [echoed, kept] = await Promise.all([connection!.readBatched('SELECT ? AS tag', [evil]), connection!.readBatched('SELECT COUNT(*) AS n FROM kept')]);
    assert.equal(echoed.rows[0]?.['tag'], evil);
    assert.equal(Number(kept.rows[0]?.['n']), 1);
    assert.equal(Number((await connection!.run('SELECT COUNT(*) AS n FROM kept')).rows[0]?.['n']), 1, 'the table is still there');
  });
});
