/**
 * A misspelt name is an error that names the known ones, never an empty answer or a new write:
 * clusters (`--cluster`), resources (`resource`, `keys`, `tables`), tables and keys. One
 * in-process node (cluster "shop", the Pinot resource configured) shares a SQLite file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/backends/open-store.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import { silentLogger, testConfig } from '../node/node-helpers.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';
import { cliInProcess } from './cli-capture.js';

const R = 'leadControllerResource';

describe('misspelt names (SQLite, one node)', () => {
  let fixture: SqlFixture;
  let node: BatonNode;
  let store: string[];

  before(async () => {
    fixture = await createSqliteFixture();
    store = ['--store', fixture.url, '--cluster', 'shop'];
    node = await startNode(testConfig({ store: fixture.url, cluster: 'shop', nodeId: 'n1', partitions: { [R]: {} } }), { logger: silentLogger });
    await waitFor('the node leads its partitions', () => node.partitions(R).leading().length > 0, { timeoutMs: 15_000 });
  });
  after(async () => {
    await node?.close();
    await fixture?.teardown();
  });

  /** Every KV key of cluster "shop" (to prove a refused command wrote nothing). */
  async function storedKeys(): Promise<string[]> {
    const backend = await openStore(fixture.url, { cluster: 'shop', readOnly: true });
    try {
      return (await backend.kv.list('')).map((e) => e.key);
    } finally {
      await backend.close();
    }
  }

  it('status, leader and buckets of an unknown cluster exit 1 naming the clusters the store holds', async () => {
    for (const command of ['status', 'leader', 'buckets']) {
      const { code, err, out } = await cliInProcess([command, '--store', fixture.url, '--cluster', 'shpo']);
      assert.equal(code, 1, command);
      assert.equal(out, '');
      assert.match(err, /no cluster "shpo" in this store; clusters in this store: shop\b/, command);
    }
    const known = await cliInProcess(['status', ...store]);
    assert.equal(known.code, 0, known.err);
    assert.match(known.out, /cluster shop: leader n1/);
  });

  it('resource status, disable and keys add on an unknown resource exit 1 naming the known ones, and store nothing', async () => {
    const before = await storedKeys();
    for (const args of [['resource', 'status', 'leadControlerResource'], ['resource', 'disable', 'leadControlerResource'], ['keys', 'add', 'myTable', '--resource', 'leadControlerResource'], ['tables', '--resource', 'leadControlerResource']]) {
      const { code, err } = await cliInProcess([...args, ...store]);
      assert.equal(code, 1, args.join(' '));
      assert.match(err, /unknown resource "leadControlerResource" in cluster "shop"; known resources: leadControllerResource\b/, args.join(' '));
    }
    assert.deepEqual(await storedKeys(), before);
    const real = await cliInProcess(['resource', 'status', R, ...store]);
    assert.equal(real.out, `${R}: enabled (default)\n`);
  });

  it('tables names a table only once it is registered', async () => {
    const missing = await cliInProcess(['tables', 'unknownTable', '--json', ...store]);
    assert.equal(missing.code, 1);
    assert.equal(missing.out, '');
    assert.match((JSON.parse(missing.err) as { error: { message: string } }).error.message, /table "unknownTable" is not registered in leadControllerResource .*baton keys add unknownTable/);
    assert.equal((await cliInProcess(['keys', 'add', 'knownTable', ...store])).code, 0);
    const found = JSON.parse((await cliInProcess(['tables', 'knownTable', '--json', ...store])).out) as { leadControllerEntryMap: Record<string, { tableNames: string[] }> };
    assert.deepEqual(Object.values(found.leadControllerEntryMap).map((e) => e.tableNames), [['knownTable']]);
  });

  it('keys remove of a key that is not registered exits 1 as its help says; of a registered one, 0', async () => {
    const absent = await cliInProcess(['keys', 'remove', 'neverAdded', ...store]);
    assert.equal(absent.code, 1);
    assert.match(absent.err, /key "neverAdded" is not registered in leadControllerResource; nothing removed/);
    assert.match((await cliInProcess(['keys', '--help'])).out, /1 .*remove of a key that is not registered/);
    assert.equal((await cliInProcess(['keys', 'add', 'toRemove', ...store])).code, 0);
    assert.equal((await cliInProcess(['keys', 'remove', 'toRemove', ...store])).code, 0);
  });
});
