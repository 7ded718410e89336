/**
 * The partition commands (`partition`, `keys`, `resource`, `tables`) through runCli against a
 * SQLite file that one in-process node (partitions configured) also uses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run-cli.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import { partitionOf } from '../../src/partitions/key-partition.js';
import { silentLogger, testConfig } from '../node/node-helpers.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { waitFor } from '../support/wait.js';

const R = 'leadControllerResource';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`), env: {} };
  const code = await runCli(args, io);
  return { code, out, err };
}

describe('partition CLI commands (SQLite)', () => {
  let fixture: SqlFixture;
  let node: BatonNode;
  let store: string[];

  before(async () => {
    fixture = await createSqliteFixture();
    store = ['--store', fixture.url, '--cluster', 'clitest'];
    node = await startNode(testConfig({ store: fixture.url, cluster: 'clitest', nodeId: 'solo', partitions: { [R]: { replicas: 2 } } }), { logger: silentLogger });
    await waitFor('the node leads all 24 partitions', () => node.partitions(R).leading().length === 24, { timeoutMs: 15_000 });
  });
  after(async () => {
    await node?.close();
    await fixture?.teardown();
  });

  it('partition prints Pinot\'s partition of a key, and refuses a bad count', async () => {
    assert.deepEqual(await cli(['partition', 'baseballStats_OFFLINE']), { code: 0, out: '7\n', err: '' });
    const { out } = await cli(['partition', 'baseballStats_REALTIME', '--partitions', '48', '--json']);
    assert.deepEqual(JSON.parse(out), { key: 'baseballStats_REALTIME', rawTableName: 'baseballStats', partition: partitionOf('baseballStats', 48), partitions: 48 });
    assert.equal((await cli(['partition', 'x', '--partitions', '0'])).code, 2);
    assert.equal((await cli(['partition'])).code, 2);
  });

  it('keys add, list and remove; the node sees them', async () => {
    assert.equal((await cli(['keys', 'add', 'baseballStats_OFFLINE', ...store])).code, 0);
    const listed = JSON.parse((await cli(['keys', 'list', '--json', ...store])).out) as { keys: { key: string; partition: number }[] };
    assert.deepEqual(listed.keys, [{ key: 'baseballStats_OFFLINE', partition: 7, registered: true }]);
    await waitFor('the node knows the key', () => node.partitions(R).keysOf(7).includes('baseballStats_OFFLINE'));
    assert.equal((await cli(['keys', 'add', 'a b', ...store])).code, 1, 'a key Pinot refuses (whitespace) is refused');
    assert.equal((await cli(['keys', 'remove', 'baseballStats_OFFLINE', ...store])).code, 0);
    assert.deepEqual((JSON.parse((await cli(['keys', 'list', '--json', ...store])).out) as { keys: unknown[] }).keys, []);
  });

  it('tables shows the election holders; resource disable and enable round-trip', async () => {
    const view = JSON.parse((await cli(['tables', '--json', ...store])).out) as { leadControllerResourceEnabled: boolean; leadControllerEntryMap: Record<string, { leadControllerId: string }> };
    assert.equal(view.leadControllerResourceEnabled, true);
    assert.equal(Object.keys(view.leadControllerEntryMap).length, 24);
    assert.ok(Object.values(view.leadControllerEntryMap).every((e) => e.leadControllerId === 'solo'));
    assert.equal((await cli(['keys', 'add', 'myTable', ...store])).code, 0);
    const one = JSON.parse((await cli(['tables', 'myTable', '--json', ...store])).out) as typeof view;
    assert.deepEqual(one.leadControllerEntryMap, { [`${R}_${partitionOf('myTable')}`]: { leadControllerId: 'solo', tableNames: ['myTable'] } });
    assert.equal((await cli(['resource', 'disable', R, ...store])).out, `${R}: disabled\n`);
    await waitFor('the node sees the flag', () => !node.partitions(R).enabled());
    assert.deepEqual(JSON.parse((await cli(['tables', '--json', ...store])).out), { leadControllerResourceEnabled: false, leadControllerEntryMap: {} });
    assert.deepEqual(JSON.parse((await cli(['resource', 'enable', R, '--json', ...store])).out), { resource: R, enabled: true, stored: true });
    await waitFor('the node sees the flag again', () => node.partitions(R).enabled());
    assert.equal((await cli(['resource', 'toggle', R, ...store])).code, 2);
  });
});
