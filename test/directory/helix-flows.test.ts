/**
 * Helix's documented directory flows (helix-rest TestMetadataStoreDirectoryAccessor, in its
 * order, with its realms, keys and invalid inputs) against `baton directory start` serving a
 * routing ZooKeeper that was laid out the way Helix lays it out: `/METADATA_STORE_ROUTING_DATA`
 * at the ZooKeeper's root, one ZNRecord per realm. Checks the answers Helix's accessor gives and
 * the znodes Helix's readers read afterwards.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { ZkClient } from '../../src/zk-client/zk-client.js';
import { ZkRoutingSource } from '../../src/federation/zk-routing-source.js';
import { ROUTING_DATA_PATH } from '../../src/federation/zk-routing-layout.js';
import { withTimeout } from '../support/wait.js';

const NS = 'test-namespace';
const REALM_1 = 'testRealm1';
const REALM_2 = 'testRealm2';
const KEYS_1 = ['/sharding/key/1/a', '/sharding/key/1/b', '/sharding/key/1/c'];
const KEYS_2 = ['/sharding/key/1/d', '/sharding/key/1/e', '/sharding/key/1/f'];
const TEST_KEY = '/sharding/key/1/x';
const INVALID_KEY = 'sharding/key/1/x';
/** Helix's test writes its realms with the ZNRecord id "RoutingInfo", indented by Jackson. */
const helixRecord = (keys?: string[]) =>
  Buffer.from(JSON.stringify({ id: 'RoutingInfo', simpleFields: {}, mapFields: {}, listFields: keys === undefined ? {} : { ZK_PATH_SHARDING_KEYS: keys } }, null, 2));

describe('Helix\'s directory flows against "baton directory start" on a real ZooKeeper', () => {
  let zk: StandaloneZooKeeper;
  let direct: ZkClient;
  let child: ChildProcess;
  let base: string;

  before(async () => {
    zk = await startStandalone();
    direct = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: 4_000 });
    await direct.create(`${ROUTING_DATA_PATH}/${REALM_1}`, helixRecord(KEYS_1), { createParents: true });
    await direct.create(`${ROUTING_DATA_PATH}/${REALM_2}`, helixRecord(KEYS_2));
    await direct.create(`${ROUTING_DATA_PATH}/half-made`, null); // Helix's writer between createPersistent and writeData
    child = spawn(process.execPath, ['dist/src/cli/main.js', 'directory', 'start', '--namespace', `${NS}=${zk.connectString}`, '--allow-unauthenticated-writes', '--port', '0', '--json'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const [first] = (await withTimeout('directory start line', once(lines, 'line'), 30_000)) as [string];
    base = `${(JSON.parse(first) as { url: string }).url}/admin/v2/namespaces/${NS}`;
  });
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await withTimeout('directory exit', once(child, 'exit'), 10_000);
    }
    await direct?.close();
    await zk?.close();
  });

  /** As Helix's test client sends requests: writes with `Content-Type: application/json` and an empty body. */
  const send = async (method: 'GET' | 'PUT' | 'DELETE', path: string, body = '') => {
    const response = await fetch(`${base}${path}`, { method, ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body }) });
    const text = await response.text();
    return { status: response.status, text, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  };
  const realmKeys = async (realm: string) => (await send('GET', `/metadata-store-realms/${realm}/sharding-keys`)).json?.['shardingKeys'];

  it('writes the routing ZK address record at start and keeps the realms Helix wrote', async () => {
    const address = JSON.parse((await direct.getData(ROUTING_DATA_PATH)).data.toString()) as { id: string; listFields: Record<string, string[]> };
    assert.equal(address.id, 'METADATA_STORE_ROUTING_DATA');
    assert.deepEqual(address.listFields['ROUTING_ZK_ADDRESS'], [zk.connectString]);
  });

  it('testGetAllNamespaces', async () => {
    assert.deepEqual((await send('GET', '/metadata-store-namespaces')).json, { namespaces: [NS] });
  });

  it('testGetAllMetadataStoreRealms (a realm znode without a ZNRecord is skipped, as Helix skips it)', async () => {
    assert.equal((await fetch(`${base.replace(NS, 'not-existed-namespace')}/metadata-store-realms`)).status, 404);
    assert.deepEqual((await send('GET', '/metadata-store-realms')).json, { realms: [REALM_1, REALM_2] });
  });

  it('testGetMetadataStoreRealmWithShardingKey', async () => {
    assert.equal((await send('GET', `/metadata-store-realms?sharding-key=${TEST_KEY}`)).status, 404);
    assert.equal((await send('GET', `/metadata-store-realms?sharding-key=${INVALID_KEY}`)).status, 400);
    assert.deepEqual((await send('GET', `/metadata-store-realms?sharding-key=${KEYS_1[0]}`)).json, { shardingKey: KEYS_1[0], realm: REALM_1 });
  });

  it('testAddMetadataStoreRealm and testDeleteMetadataStoreRealm: idempotent; a realm added without keys is a ZNRecord without the key field', async () => {
    assert.equal((await fetch(`${base.replace(NS, 'not-existed-namespace')}/metadata-store-realms/testRealm3`, { method: 'PUT' })).status, 404);
    assert.equal((await send('PUT', '/metadata-store-realms/testRealm3')).status, 201);
    assert.equal((await send('PUT', '/metadata-store-realms/testRealm3')).status, 201);
    assert.deepEqual((await send('GET', '/metadata-store-realms')).json, { realms: [REALM_1, REALM_2, 'testRealm3'] });
    // What Helix's own writer leaves for a realm added without keys reads as an empty realm.
    await direct.setData(`${ROUTING_DATA_PATH}/testRealm3`, helixRecord());
    assert.deepEqual(await realmKeys('testRealm3'), []);
    assert.equal((await send('DELETE', '/metadata-store-realms/testRealm3')).status, 200);
    assert.equal((await send('DELETE', '/metadata-store-realms/testRealm3')).status, 200);
    assert.deepEqual((await send('GET', '/metadata-store-realms')).json, { realms: [REALM_1, REALM_2] });
    assert.equal(await direct.exists(`${ROUTING_DATA_PATH}/testRealm3`), null);
    assert.notEqual(await direct.exists(`${ROUTING_DATA_PATH}/half-made`), null, 'a znode that is no realm is left alone');
  });

  it('testGetShardingKeysInNamespace and testGetShardingKeysUnderPath', async () => {
    assert.deepEqual((await send('GET', '/sharding-keys')).json, { namespace: NS, shardingKeys: [...KEYS_1, ...KEYS_2] });
    assert.equal((await send('GET', `/sharding-keys?prefix=${INVALID_KEY}`)).status, 400);
    assert.deepEqual((await send('GET', '/sharding-keys?prefix=/non/Existed/Prefix')).json?.['shardingKeys'], []);
    const under = (await send('GET', '/sharding-keys?prefix=/sharding/key')).json;
    assert.deepEqual(Object.keys(under ?? {}).sort(), ['prefix', 'shardingKeys']);
    assert.deepEqual(under?.['shardingKeys'], [...KEYS_1.map((k) => ({ shardingKey: k, realm: REALM_1 })), ...KEYS_2.map((k) => ({ shardingKey: k, realm: REALM_2 }))]);
  });

  it('testGetRoutingData', async () => {
    assert.deepEqual((await send('GET', '/routing-data')).json, { namespace: NS, routingData: [{ realm: REALM_1, shardingKeys: KEYS_1 }, { realm: REALM_2, shardingKeys: KEYS_2 }] });
  });

  it('testGetShardingKeysInRealm and testGetRealmShardingKeysUnderPath', async () => {
    assert.equal((await send('GET', '/metadata-store-realms/nonExistedRealm/sharding-keys')).status, 404);
    assert.deepEqual((await send('GET', `/metadata-store-realms/${REALM_1}/sharding-keys`)).json, { realm: REALM_1, shardingKeys: KEYS_1 });
    assert.equal((await send('GET', `/metadata-store-realms/${REALM_1}/sharding-keys?prefix=${INVALID_KEY}`)).status, 400);
    assert.deepEqual((await send('GET', `/metadata-store-realms/${REALM_1}/sharding-keys?prefix=/non/Existed/Prefix`)).json?.['shardingKeys'], []);
    assert.deepEqual((await send('GET', '/metadata-store-realms/nonExistedRealm/sharding-keys?prefix=/sharding/key')).json?.['shardingKeys'], []);
    assert.deepEqual((await send('GET', `/metadata-store-realms/${REALM_1}/sharding-keys?prefix=/sharding/key/1`)).json, { prefix: '/sharding/key/1', realm: REALM_1, shardingKeys: KEYS_1 });
  });

  it('testAddShardingKey and testDeleteShardingKey: idempotent, invalid and foreign keys refused', async () => {
    assert.equal((await send('PUT', `/metadata-store-realms/${REALM_1}/sharding-keys//${INVALID_KEY}`)).status, 400);
    assert.equal((await send('PUT', `/metadata-store-realms/${REALM_1}/sharding-keys${TEST_KEY}`)).status, 201);
    assert.equal((await send('PUT', `/metadata-store-realms/${REALM_1}/sharding-keys${TEST_KEY}`)).status, 201);
    assert.equal((await send('PUT', `/metadata-store-realms/${REALM_2}/sharding-keys${TEST_KEY}`)).status, 400);
    assert.deepEqual(await realmKeys(REALM_1), [...KEYS_1, TEST_KEY]);
    assert.equal((await send('DELETE', `/metadata-store-realms/${REALM_1}/sharding-keys${TEST_KEY}`)).status, 200);
    assert.equal((await send('DELETE', `/metadata-store-realms/${REALM_1}/sharding-keys${TEST_KEY}`)).status, 200);
    assert.deepEqual(await realmKeys(REALM_1), KEYS_1);
  });

  it('testSetRoutingData, then Helix\'s routing reader sees exactly the data written', async () => {
    assert.equal((await send('PUT', '/routing-data', '?')).status, 400);
    assert.equal((await send('PUT', '/routing-data', JSON.stringify({ [REALM_1]: REALM_2, [REALM_2]: REALM_1 }))).status, 400);
    const put = await send('PUT', '/routing-data', JSON.stringify({ [REALM_1]: KEYS_2, [REALM_2]: KEYS_1 }));
    assert.equal(put.status, 201);
    assert.equal(put.text, '');
    const stored = JSON.parse((await direct.getData(`${ROUTING_DATA_PATH}/${REALM_1}`)).data.toString()) as { id: string; listFields: Record<string, string[]> };
    assert.deepEqual([stored.id, stored.listFields['ZK_PATH_SHARDING_KEYS']], [REALM_1, KEYS_2]);
    const source = new ZkRoutingSource({ connect: zk.connectString, sessionTimeoutMs: 4_000 });
    try {
      assert.deepEqual((await source.read()).toRecord(), { [REALM_1]: KEYS_2, [REALM_2]: KEYS_1 });
    } finally {
      await source.close();
    }
  });
});
