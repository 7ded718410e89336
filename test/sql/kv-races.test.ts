/**
 * Concurrent KV writers from separate connections, on every SQL engine: conditional writes
 * have exactly one winner, unconditional ones lose no update.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { VersionConflictError } from '../../src/errors.js';
import type { SqlFixture } from '../support/sqlite-fixture.js';
import { SQL_DIALECTS } from './dialects.js';

const WRITERS = 6;

for (const dialect of SQL_DIALECTS) {
  describe(`kv races: ${dialect.name}`, () => {
    let fixture: SqlFixture;
    let writers: Backend[] = [];
    before(async () => {
      fixture = await dialect.createFixture();
      const cluster = `race-${randomBytes(4).toString('hex')}`;
      // Open one at a time: the first migrates, the rest find the schema.
      for (let i = 0; i < WRITERS; i++) writers.push(await openStore(fixture.url, { cluster }));
    });
    after(async () => {
      await Promise.allSettled(writers.map((w) => w.close()));
      writers = [];
      await fixture.teardown();
    });

    const outcomes = async (write: (w: Backend, i: number) => Promise<unknown>) => {
      const results = await Promise.allSettled(writers.map(write));
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
      return { wins: results.length - failures.length, failures };
    };

    it('expectVersion null on an absent key: exactly one creates it', async () => {
      const { wins, failures } = await outcomes((w, i) => w.kv.put('create', i, { expectVersion: null }));
      assert.equal(wins, 1);
      assert.ok(failures.every((f) => f instanceof VersionConflictError), String(failures.find((f) => !(f instanceof VersionConflictError))));
      assert.equal((await writers[0]?.kv.get('create'))?.version, 1);
    });

    it('expectVersion n: exactly one moves the key to n + 1', async () => {
      await writers[0]?.kv.put('cas', 'start');
      const { wins, failures } = await outcomes((w, i) => w.kv.put('cas', i, { expectVersion: 1 }));
      assert.equal(wins, 1);
      assert.ok(failures.every((f) => f instanceof VersionConflictError), String(failures.find((f) => !(f instanceof VersionConflictError))));
      assert.equal((await writers[0]?.kv.get('cas'))?.version, 2);
    });

    it('unconditional puts on a new key all land, one version each', async () => {
      const { wins, failures } = await outcomes((w, i) => w.kv.put('counter', i));
      assert.deepEqual(failures, []);
      assert.equal(wins, WRITERS);
      assert.equal((await writers[0]?.kv.get('counter'))?.version, WRITERS);
    });
  });
}
