/**
 * Pinot's names, end to end: every table name Pinot accepts is registered, listed and led (no
 * length limit, any character but whitespace, one "." at most), names in URLs are
 * percent-decoded exactly once, `GET /leader/tables/` names no table (404), and a resource
 * configured for Pinot tooling names its leaders `Controller_{host}_{port}`. The registry runs
 * on SQLite (a real store); the HTTP API on one node over the memory store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryStore } from '../../src/backends/memory/index.js';
import { openStore } from '../../src/backends/open-store.js';
import type { Backend } from '../../src/contract/contract.js';
import { startNode } from '../../src/http/start-node.js';
import type { BatonNode } from '../../src/node/baton-node.js';
import { partitionOf } from '../../src/partitions/key-partition.js';
import { addResourceKey, listResourceKeys, removeResourceKey } from '../../src/partitions/resource-admin.js';
import { readStoredTables } from '../../src/partitions/stored-tables.js';
import { urlOfParticipantId } from '../../src/partitions/pinot-participant.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { createSqliteFixture, type SqlFixture } from '../support/sqlite-fixture.js';
import { getJson, silentLogger, testConfig } from '../node/node-helpers.js';
import { waitFor } from '../support/wait.js';

const RESOURCE = 'leadControllerResource';
const TOKEN = 'sesame';
/** Names Pinot accepts that a store key segment could not hold as they are. */
const ODD_NAMES = ['表格_OFFLINE', 'db.table', '.', 'a/b', 'a%41', 'x@y', 'semi;colon$', `${'long'.repeat(500)}_REALTIME`, 'a\u00a0b'];

describe('Pinot table names in the key registry (SQLite)', () => {
  let sqlite: SqlFixture;
  let backend: Backend;
  before(async () => {
    sqlite = await createSqliteFixture();
    backend = await openStore(sqlite.url, { cluster: 'names' });
  });
  after(async () => {
    await backend?.close();
    await sqlite?.teardown();
  });

  it('registers, lists and removes every name Pinot accepts, of any length', async () => {
    for (const name of [...ODD_NAMES, 'plain_OFFLINE']) await addResourceKey(backend.kv, RESOURCE, name);
    assert.deepEqual(await listResourceKeys(backend.kv, RESOURCE), [...ODD_NAMES, 'plain_OFFLINE'].sort());
    const view = await readStoredTables(backend, { resource: RESOURCE, partitions: 24, enabledByDefault: true });
    for (const name of ODD_NAMES) {
      assert.ok(view.leadControllerEntryMap[`${RESOURCE}_${partitionOf(name)}`]?.tableNames.includes(name), name);
    }
    for (const name of ODD_NAMES) await removeResourceKey(backend.kv, RESOURCE, name);
    assert.deepEqual(await listResourceKeys(backend.kv, RESOURCE), ['plain_OFFLINE']);
  });

  it('refuses only what Pinot refuses: whitespace (Java\'s rule), more than one ".", and the empty name', async () => {
    for (const bad of ['my table', 'tab\tle', 'a\u2003b', 'line\nbreak', 'a.b.c', '..', '']) {
      await assert.rejects(addResourceKey(backend.kv, RESOURCE, bad), (e: unknown) => e instanceof InvalidArgumentError && /Pinot/.test(e.message), JSON.stringify(bad));
    }
  });
});

describe('Pinot names over HTTP (one node, memory store)', () => {
  const store = new MemoryStore();
  let node: BatonNode;
  before(async () => {
    const config = testConfig({ cluster: 'pinot', nodeId: 'n1', auth: { token: TOKEN }, partitions: { [RESOURCE]: { replicas: 1, leadControllerIdFormat: 'pinot-participant' } } });
    node = await startNode(config, { openBackend: async () => store.backend('pinot'), logger: silentLogger });
    await waitFor('every partition led', () => node.partitions(RESOURCE).leading().length === 24, { timeoutMs: 15_000 });
  });
  after(async () => {
    await node?.close();
  });
  const put = (key: string) => fetch(`${node.url}/resources/${RESOURCE}/keys/${key}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}` } });

  it('leadControllerId is Pinot\'s participant id Controller_{host}_{port}, which the locator turns back into the address', async () => {
    const { body } = await getJson(`${node.url}/leader/tables`);
    const ids = new Set(Object.values((body as { leadControllerEntryMap: Record<string, { leadControllerId: string }> }).leadControllerEntryMap).map((e) => e.leadControllerId));
    const port = new URL(node.url as string).port;
    const host = new URL(node.url as string).hostname;
    assert.deepEqual([...ids], [`Controller_${host}_${port}`]);
    assert.equal(urlOfParticipantId(`Controller_${host}_${port}`), `http://${host}:${port}`);
  });

  it('GET /leader/tables/ with an empty name is a 404; names are percent-decoded exactly once', async () => {
    assert.equal((await fetch(`${node.url}/leader/tables/`)).status, 404);
    const { status, body } = await getJson(`${node.url}/leader/tables/a%2541`);
    assert.equal(status, 200);
    const entries = Object.entries((body as { leadControllerEntryMap: Record<string, { tableNames: string[] }> }).leadControllerEntryMap);
    assert.deepEqual(entries.map(([name, e]) => [name, e.tableNames]), [[`${RESOURCE}_${partitionOf('a%41')}`, ['a%41']]]);
  });

  it('registers names over HTTP exactly as given (decoded once), of any length; whitespace is a 400', async () => {
    const long = `${'t'.repeat(3000)}_OFFLINE`;
    for (const encoded of ['a%2541', '%E8%A1%A8', 'a%2Fb', long]) assert.equal((await put(encoded)).status, 200, encoded.slice(0, 20));
    assert.equal((await put('my%20table')).status, 400);
    await waitFor('keys seen by the node', () => ['a%41', '表', 'a/b', long].every((k) => node.partitions(RESOURCE).keysOf(partitionOf(k)).includes(k)));
    const { status, body } = await getJson(`${node.url}/leader/tables/${long}`);
    assert.equal(status, 200);
    assert.deepEqual(Object.values((body as { leadControllerEntryMap: Record<string, { tableNames: string[] }> }).leadControllerEntryMap)[0]?.tableNames, [long]);
  });
});
