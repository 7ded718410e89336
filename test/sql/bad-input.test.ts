/**
 * Bad input gets a clear typed error, never a crash and never silent acceptance: store URLs,
 * table prefixes, timing, and a lease row whose info is not JSON (on every SQL engine).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/index.js';
import { openStore, parseStoreUrl } from '../../src/backends/open-store.js';
import { schemaDdl } from '../../src/backends/sql/index.js';
import { ConfigError, CorruptDocumentError, InvalidArgumentError, StoreUnavailableError } from '../../src/errors.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { withTimeout } from '../support/wait.js';
import { SQL_DIALECTS } from './dialects.js';
import { SQL_TEST_TIMING } from './sql-harness.js';

function configError(key: string, mentions?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.key, key);
    if (mentions) assert.match(error.message, mentions);
    return true;
  };
}

describe('store URLs', () => {
  it('accepts each scheme and masks passwords', () => {
    assert.equal(parseStoreUrl('sqlite:./.baton/baton.db').kind, 'sqlite');
    assert.equal(parseStoreUrl('sqlite:/var/lib/baton/x.db').display, '/var/lib/baton/x.db');
    assert.equal(parseStoreUrl('postgresql://u:secret@db:5432/baton').kind, 'postgres');
    assert.doesNotMatch(parseStoreUrl('postgres://u:secret@db/baton').display, /secret/);
    assert.equal(parseStoreUrl('mariadb://root@db/baton').kind, 'mysql');
    assert.equal(parseStoreUrl('none').kind, 'memory');
  });

  it('rejects an unknown scheme, saying which are allowed', () => {
    assert.throws(() => parseStoreUrl('redis://localhost/0'), configError('store', /unknown store URL scheme "redis".*sqlite:.*postgres:\/\/.*mysql:\/\//));
    assert.throws(() => parseStoreUrl(''), configError('store'));
  });

  it('rejects malformed URLs', () => {
    assert.throws(() => parseStoreUrl('postgres://'), configError('store'));
    assert.throws(() => parseStoreUrl('postgres://db.example'), configError('store', /database/));
    assert.throws(() => parseStoreUrl('mysql:db/baton'), configError('store'));
    assert.throws(() => parseStoreUrl('mysql://host:notaport/baton'), configError('store'));
    assert.throws(() => parseStoreUrl('sqlite:'), configError('store', /no database file/));
    assert.throws(() => parseStoreUrl('none:x'), configError('store'));
  });

  it('openStore rejects before any I/O', async () => {
    await assert.rejects(openStore('ftp://x/y', { cluster: 'c' }), configError('store'));
    await assert.rejects(openStore('sqlite:/nonexistent-dir-baton/x.db', { cluster: 'c', tablePrefix: 'baton; drop table x' }), configError('store.tablePrefix'));
  });
});

describe('table prefixes', () => {
  for (const bad of ['baton; drop table x', "x'--", '1abc', '', 'a-b', 'a'.repeat(40), 'baton"']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => schemaDdl('postgres', bad), configError('store.tablePrefix', /letter/));
    });
  }

  it('uses a valid prefix in every table name of every dialect', () => {
    for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
      const ddl = schemaDdl(dialect, 'app_7');
      for (const table of ['app_7lease', 'app_7member', 'app_7kv', 'app_7migrations']) assert.ok(ddl.includes(table), `${dialect} DDL lacks ${table}`);
      assert.ok(!ddl.includes('baton_'), `${dialect} DDL still uses the default prefix`);
    }
  });

  it('rejects an unknown dialect', () => {
    assert.throws(() => schemaDdl('oracle' as 'mysql'), InvalidArgumentError);
  });
});

for (const dialect of SQL_DIALECTS) {
  describe(`bad input on ${dialect.name}`, () => {
    let fixture: SqlFixture;
    const opened: Backend[] = [];
    before(async () => {
      fixture = await dialect.createFixture();
    });
    after(async () => {
      await Promise.allSettled(opened.map((b) => b.close()));
      await fixture.teardown();
    });
    const open = async (cluster: string, tablePrefix?: string) => {
      const backend = await openStore(fixture.url, { cluster, tablePrefix, pollIntervalMs: 50 });
      opened.push(backend);
      return backend;
    };

    it('invalid timing is a ConfigError naming the field, and nothing is registered', async () => {
      const backend = await open(`t-${randomBytes(4).toString('hex')}`);
      await assert.rejects(
        backend.openSession({ nodeId: 'n', info: {}, timing: { ...SQL_TEST_TIMING, ttlMs: 1_000, renewDeadlineMs: 2_000 } }),
        configError('election.renewDeadlineMs'),
      );
      await assert.rejects(backend.openSession({ nodeId: 'n', info: {}, timing: { ...SQL_TEST_TIMING, retryPeriodMs: -5 } }), configError('election.retryPeriodMs'));
      assert.deepEqual(await backend.members(), []);
    });

    it('a lease whose info is not JSON is a CorruptDocumentError; the holder keeps leading', async () => {
      const cluster = `corrupt-${randomBytes(4).toString('hex')}`;
      const backend = await open(cluster);
      const session = await backend.openSession({ nodeId: 'n', info: {}, timing: SQL_TEST_TIMING });
      const leadership = await session.campaign('leader', { host: 'n' });
      await fixture.run('UPDATE baton_lease SET info = ? WHERE cluster = ? AND name = ?', ['{"host": ', cluster, 'leader']);
      await assert.rejects(backend.leader('leader'), (error: unknown) => error instanceof CorruptDocumentError && error.key === 'lease/leader');
      await fixture.run('UPDATE baton_lease SET info = ? WHERE cluster = ? AND name = ?', ['[1, 2]', cluster, 'leader']);
      await assert.rejects(backend.leader('leader'), CorruptDocumentError);
      assert.equal(leadership.signal.aborted, false);
      await leadership.resign();
      assert.equal(await backend.leader('leader'), null);
    });

    it('an unusual but valid prefix gets its own tables', async () => {
      const backend = await open(`p-${randomBytes(4).toString('hex')}`, 'other_');
      await backend.kv.put('k', { v: 1 });
      const { rows } = await fixture.run('SELECT COUNT(*) AS n FROM other_kv');
      assert.equal(Number(rows[0]?.['n']), 1);
    });

    it('a bad cluster name or key is rejected, not stored', async () => {
      await assert.rejects(openStore(fixture.url, { cluster: 'a/b' }), InvalidArgumentError);
      const backend = await open(`k-${randomBytes(4).toString('hex')}`);
      await assert.rejects(backend.kv.put("x'; drop table baton_kv; --", 1), InvalidArgumentError);
      await assert.rejects(backend.kv.put('ok', undefined as unknown as number), InvalidArgumentError);
    });
  });
}

describe('unreachable stores', () => {
  it('reject with StoreUnavailableError, with the driver error as cause', async () => {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    for (const url of ['postgres://postgres@127.0.0.1:1/x', 'mysql://root@127.0.0.1:1/x']) {
      await withTimeout(url, assert.rejects(openStore(url, { cluster: 'c' }), (error: unknown) => error instanceof StoreUnavailableError && error.cause !== undefined));
    }
  });
});
