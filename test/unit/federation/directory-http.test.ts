/**
 * The directory's REST answers, route by route, against what Helix REST's
 * MetadataStoreDirectoryAccessor answers (its TestMetadataStoreDirectoryAccessor flows, with
 * the same realms, keys and invalid inputs), on the memory store. The same flows run against
 * `baton directory start` on a real ZooKeeper in test/directory/helix-flows.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildDirectoryApp } from '../../../src/directory/directory-app.js';
import { MemoryDirectoryStore } from '../../../src/directory/directory-store.js';
import { INVALID_CASES } from './validation-cases.js';

const TOKEN = 'test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const NS = '/admin/v2/namespaces/test-namespace';
/** What Helix's test client sends on writes: JSON content type, empty body. */
const EMPTY_JSON = { ...AUTH, 'content-type': 'application/json' };
const REALM_1 = 'testRealm1';
const REALM_2 = 'testRealm2';
const KEYS_1 = ['/sharding/key/1/a', '/sharding/key/1/b', '/sharding/key/1/c'];
const KEYS_2 = ['/sharding/key/1/d', '/sharding/key/1/e', '/sharding/key/1/f'];

describe('directory service over HTTP answers as Helix REST (memory store)', () => {
  let app: FastifyInstance;
  before(async () => {
    app = buildDirectoryApp({ store: new MemoryDirectoryStore(['default', 'test-namespace', 'prod']), token: TOKEN });
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  const call = async (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = AUTH) => {
    const response = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }) });
    return { status: response.statusCode, text: response.body, body: response.body === '' ? undefined : (response.json() as Record<string, unknown>) };
  };
  const putJson = (url: string, body: unknown) => call('PUT', url, JSON.stringify(body), EMPTY_JSON);

  for (const c of INVALID_CASES.filter((row) => row.directoryAccepts === undefined)) {
    it(`PUT routing-data refuses with 400: ${c.rule}`, async () => {
      const { status, body } = await putJson(`${NS}/routing-data`, c.input);
      assert.equal(status, 400);
      assert.equal(body?.['code'], 'INVALID_ARGUMENT');
      assert.equal(body?.['error'], body?.['message'], 'Helix clients read "error"');
      assert.ok(String(body?.['message']).includes(c.names), `"${String(body?.['message'])}" should name ${c.names}`);
      if (c.conflictingKey !== undefined) assert.ok(String(body?.['message']).includes(`"${c.conflictingKey}"`));
    });
  }

  it('a configured namespace answers empty before any write; an unknown one is a 404 with {code, message, error}', async () => {
    assert.deepEqual((await call('GET', '/admin/v2/namespaces/prod/routing-data')).body, { namespace: 'prod', routingData: [] });
    const unknown = await call('GET', '/admin/v2/namespaces/not-existed-namespace/metadata-store-realms');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body?.['code'], 'NOT_FOUND');
    assert.match(String(unknown.body?.['error']), /not-existed-namespace.*serves: default, prod, test-namespace/);
    for (const [method, path] of [['PUT', '/metadata-store-realms/r'], ['DELETE', '/metadata-store-realms/r'], ['PUT', '/metadata-store-realms/r/sharding-keys/a'], ['GET', '/sharding-keys'], ['GET', '/metadata-store-namespaces']] as const) {
      assert.equal((await call(method, `/admin/v2/namespaces/not-existed-namespace${path}`, method === 'GET' ? undefined : '', EMPTY_JSON)).status, 404, `${method} ${path}`);
    }
    assert.equal((await putJson('/admin/v2/namespaces/not-existed-namespace/routing-data', { r: ['/a'] })).status, 404);
  });

  it('PUT routing-data (201, empty body), then GET routing-data in Helix\'s shape', async () => {
    const put = await putJson(`${NS}/routing-data`, { [REALM_1]: KEYS_1, [REALM_2]: KEYS_2 });
    assert.equal(put.status, 201);
    assert.equal(put.text, '');
    assert.deepEqual((await call('GET', `${NS}/routing-data`)).body, {
      namespace: 'test-namespace',
      routingData: [{ realm: REALM_1, shardingKeys: KEYS_1 }, { realm: REALM_2, shardingKeys: KEYS_2 }],
    });
    assert.equal((await call('PUT', `${NS}/routing-data`, '?', EMPTY_JSON)).status, 400, 'not JSON');
    assert.equal((await putJson(`${NS}/routing-data`, { [REALM_1]: REALM_2 })).status, 400, 'values not lists');
    assert.equal((await call('PUT', `${NS}/routing-data`, '', EMPTY_JSON)).status, 400, 'empty body');
  });

  it('GET metadata-store-namespaces, plain and namespaced', async () => {
    const expected = { namespaces: ['default', 'prod', 'test-namespace'] };
    assert.deepEqual((await call('GET', '/admin/v2/metadata-store-namespaces')).body, expected);
    assert.deepEqual((await call('GET', `${NS}/metadata-store-namespaces`)).body, expected);
  });

  it('GET metadata-store-realms, and ?sharding-key= echoing the key as asked', async () => {
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms`)).body, { realms: [REALM_1, REALM_2] });
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms?sharding-key=${KEYS_1[0]}`)).body, { shardingKey: KEYS_1[0], realm: REALM_1 });
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms?sharding-key=/sharding/key/1/a/deeper`)).body, { shardingKey: '/sharding/key/1/a/deeper', realm: REALM_1 });
    assert.equal((await call('GET', `${NS}/metadata-store-realms?sharding-key=/sharding/key/1/x`)).status, 404);
    assert.equal((await call('GET', `${NS}/metadata-store-realms?sharding-key=/sharding/key`)).status, 404, 'a proper prefix of keys');
    for (const bad of ['sharding/key/1/x', '/sharding/key/', '/sharding//key', '']) {
      const answer = await call('GET', `${NS}/metadata-store-realms?sharding-key=${encodeURIComponent(bad)}`);
      assert.equal(answer.status, 400, JSON.stringify(bad));
      assert.match(String(answer.body?.['error']), /not a valid ZooKeeper path/);
    }
  });

  it('PUT and DELETE of a realm are idempotent: 201, 201, then 200, 200, with empty bodies', async () => {
    for (let i = 0; i < 2; i++) {
      const put = await call('PUT', `${NS}/metadata-store-realms/testRealm3`, '', EMPTY_JSON);
      assert.equal(put.status, 201);
      assert.equal(put.text, '');
    }
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms`)).body, { realms: [REALM_1, REALM_2, 'testRealm3'] });
    for (let i = 0; i < 2; i++) {
      const del = await call('DELETE', `${NS}/metadata-store-realms/testRealm3`);
      assert.equal(del.status, 200);
      assert.equal(del.text, '');
    }
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms`)).body, { realms: [REALM_1, REALM_2] });
  });

  it('GET sharding-keys: {namespace, shardingKeys}, and ?prefix= as {prefix, shardingKeys: [{shardingKey, realm}]}', async () => {
    assert.deepEqual((await call('GET', `${NS}/sharding-keys`)).body, { namespace: 'test-namespace', shardingKeys: [...KEYS_1, ...KEYS_2] });
    assert.deepEqual((await call('GET', `${NS}/sharding-keys?prefix=/non/Existed/Prefix`)).body, { prefix: '/non/Existed/Prefix', shardingKeys: [] });
    assert.deepEqual((await call('GET', `${NS}/sharding-keys?prefix=/sharding/key/1/a/below`)).body, { prefix: '/sharding/key/1/a/below', shardingKeys: [] }, 'a prefix below a key');
    const under = (await call('GET', `${NS}/sharding-keys?prefix=/sharding/key`)).body;
    assert.deepEqual(under, {
      prefix: '/sharding/key',
      shardingKeys: [...KEYS_1.map((k) => ({ shardingKey: k, realm: REALM_1 })), ...KEYS_2.map((k) => ({ shardingKey: k, realm: REALM_2 }))],
    });
    assert.equal((await call('GET', `${NS}/sharding-keys?prefix=sharding/key/1/x`)).status, 400);
  });

  it('GET a realm\'s sharding keys: 404 for an unknown realm, but ?prefix= answers empty for it', async () => {
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys`)).body, { realm: REALM_1, shardingKeys: KEYS_1 });
    assert.equal((await call('GET', `${NS}/metadata-store-realms/nonExistedRealm/sharding-keys`)).status, 404);
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms/nonExistedRealm/sharding-keys?prefix=/sharding/key`)).body, { prefix: '/sharding/key', realm: 'nonExistedRealm', shardingKeys: [] });
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys?prefix=/sharding/key/1`)).body, { prefix: '/sharding/key/1', realm: REALM_1, shardingKeys: KEYS_1 });
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys?prefix=/non/Existed/Prefix`)).body?.['shardingKeys'], []);
    assert.equal((await call('GET', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys?prefix=sharding/key/1/x`)).status, 400);
  });

  it('PUT and DELETE of a key: idempotent, the key decoded once from the rest of the URL; another realm\'s key is a 400', async () => {
    const url = `${NS}/metadata-store-realms/${REALM_1}/sharding-keys/sharding/key/1/x`;
    assert.equal((await call('PUT', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys//sharding/key/1/x`, '', EMPTY_JSON)).status, 400, '"//" (Helix\'s invalid-key flow)');
    assert.equal((await call('PUT', url, '', EMPTY_JSON)).status, 201);
    assert.equal((await call('PUT', url, '', EMPTY_JSON)).status, 201, 'idempotent');
    const other = await call('PUT', `${NS}/metadata-store-realms/${REALM_2}/sharding-keys/sharding/key/1/x`, '', EMPTY_JSON);
    assert.equal(other.status, 400);
    assert.match(String(other.body?.['error']), /"\/sharding\/key\/1\/x"/);
    assert.equal((await call('PUT', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys/sharding/key/1/a/nested`, '', EMPTY_JSON)).status, 400, 'nested');
    assert.equal((await call('PUT', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys/sharding/key/1/y/`, '', EMPTY_JSON)).status, 400, 'trailing slash');
    assert.equal((await call('PUT', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys/p%2541`, '', EMPTY_JSON)).status, 201);
    assert.equal((await call('PUT', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys/q%2Fr`, '', EMPTY_JSON)).status, 201);
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys`)).body?.['shardingKeys'], ['/p%41', '/q/r', ...KEYS_1, '/sharding/key/1/x'].sort());
    for (const key of ['p%2541', 'q/r', 'sharding/key/1/x', 'sharding/key/1/x']) {
      const del = await call('DELETE', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys/${key}`);
      assert.equal(del.status, 200, key);
      assert.equal(del.text, '');
    }
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys`)).body?.['shardingKeys'], KEYS_1);
    assert.equal((await call('DELETE', `${NS}/metadata-store-realms/nonExistedRealm/sharding-keys/a`)).status, 200);
    assert.equal((await call('DELETE', `${NS}/metadata-store-realms/${REALM_1}/sharding-keys/a//b`)).status, 400);
  });

  it('the default namespace is served under /admin/v2 too (Helix\'s default servlet)', async () => {
    assert.equal((await putJson('/admin/v2/routing-data', { 'zk-a:2181': ['/orders'] })).status, 201);
    assert.deepEqual((await call('GET', '/admin/v2/namespaces/default/routing-data')).body, { namespace: 'default', routingData: [{ realm: 'zk-a:2181', shardingKeys: ['/orders'] }] });
    assert.deepEqual((await call('GET', '/admin/v2/metadata-store-realms?sharding-key=/orders/1')).body, { shardingKey: '/orders/1', realm: 'zk-a:2181' });
  });

  it('writes need the bearer token; reads do not; refusals carry "error"', async () => {
    const none = await call('PUT', `${NS}/metadata-store-realms/zk-d:2181`, '', { 'content-type': 'application/json' });
    assert.equal(none.status, 401);
    assert.equal(none.body?.['code'], 'UNAUTHORIZED');
    assert.equal(none.body?.['error'], none.body?.['message']);
    assert.equal((await call('DELETE', `${NS}/metadata-store-realms/${REALM_1}`, undefined, { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await call('GET', `${NS}/metadata-store-realms`, undefined, {})).status, 200);
  });

  it('a "/" key stands alone: refused next to a realm without keys, accepted alone', async () => {
    assert.equal((await putJson('/admin/v2/namespaces/prod/routing-data', { 'zk-a:2181': ['/'] })).status, 201);
    const beside = await call('PUT', '/admin/v2/namespaces/prod/metadata-store-realms/zk-b:2181', '', EMPTY_JSON);
    assert.equal(beside.status, 400);
    assert.match(String(beside.body?.['error']), /"\/"/);
    assert.deepEqual((await call('GET', '/admin/v2/namespaces/prod/metadata-store-realms')).body, { realms: ['zk-a:2181'] });
  });
});
