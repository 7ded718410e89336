import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildDirectoryApp } from '../../../src/directory/directory-app.js';
import { MemoryDirectoryStore } from '../../../src/directory/directory-store.js';
import { INVALID_CASES } from './validation-cases.js';

const TOKEN = 'test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const NS = '/admin/v2/namespaces/prod';

describe('directory service over HTTP (memory store)', () => {
  let app: FastifyInstance;
  before(async () => {
    app = buildDirectoryApp({ store: new MemoryDirectoryStore(), token: TOKEN });
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  const call = async (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = AUTH) => {
    const response = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: response.statusCode, body: response.body === '' ? undefined : (response.json() as Record<string, unknown>) };
  };

  for (const c of INVALID_CASES) {
    it(`PUT routing-data refuses with 400: ${c.rule}`, async () => {
      const { status, body } = await call('PUT', `${NS}/routing-data`, c.input);
      assert.equal(status, 400);
      assert.equal(body?.['code'], 'INVALID_ARGUMENT');
      assert.ok(String(body?.['message']).includes(c.names), `"${String(body?.['message'])}" should name ${c.names}`);
      if (c.conflictingKey !== undefined) assert.ok(String(body?.['message']).includes(`"${c.conflictingKey}"`));
    });
  }

  it('namespace does not exist before the first write: 404 with { code, message }', async () => {
    const { status, body } = await call('GET', '/admin/v2/namespaces/nothing/routing-data');
    assert.equal(status, 404);
    assert.equal(body?.['code'], 'NOT_FOUND');
    assert.match(String(body?.['message']), /nothing/);
  });

  it('PUT and GET routing-data in Helix shapes', async () => {
    const put = await call('PUT', `${NS}/routing-data`, { 'zk-a:2181': ['/orders', '/users'], 'zk-b:2181': ['/billing'] });
    assert.equal(put.status, 201);
    const got = await call('GET', `${NS}/routing-data`);
    assert.deepEqual(got.body, {
      namespace: 'prod',
      routingData: [
        { realm: 'zk-a:2181', shardingKeys: ['/orders', '/users'] },
        { realm: 'zk-b:2181', shardingKeys: ['/billing'] },
      ],
    });
    // The GET shape can be written back as is.
    assert.equal((await call('PUT', `${NS}/routing-data`, got.body)).status, 201);
    assert.deepEqual((await call('GET', '/admin/v2/metadata-store-namespaces')).body, { namespaces: ['prod'] });
  });

  it('lists realms and resolves a path to its realm and key', async () => {
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms`)).body, { namespace: 'prod', realms: ['zk-a:2181', 'zk-b:2181'] });
    const hit = await call('GET', `${NS}/metadata-store-realms?sharding-key=${encodeURIComponent('/orders/eu/1')}`);
    assert.deepEqual(hit.body, { shardingKey: '/orders', realm: 'zk-a:2181', path: '/orders/eu/1' });
    const miss = await call('GET', `${NS}/metadata-store-realms?sharding-key=${encodeURIComponent('/ordersx')}`);
    assert.equal(miss.status, 404);
    assert.equal(miss.body?.['code'], 'ROUTING');
  });

  it('adds and removes keys given as the rest of the URL or URL-encoded', async () => {
    assert.equal((await call('PUT', `${NS}/metadata-store-realms/zk-b:2181/sharding-keys/stock/eu`)).status, 201);
    assert.equal((await call('PUT', `${NS}/metadata-store-realms/zk-b:2181/sharding-keys/${encodeURIComponent('/stock/us')}`)).status, 201);
    const keys = await call('GET', `${NS}/metadata-store-realms/zk-b:2181/sharding-keys`);
    assert.deepEqual(keys.body, { realm: 'zk-b:2181', shardingKeys: ['/billing', '/stock/eu', '/stock/us'] });
    const prefixed = await call('GET', `${NS}/sharding-keys?prefix=/stock`);
    assert.deepEqual(prefixed.body, {
      prefix: '/stock',
      shardingKeys: [
        { realm: 'zk-b:2181', shardingKey: '/stock/eu' },
        { realm: 'zk-b:2181', shardingKey: '/stock/us' },
      ],
    });
    assert.equal((await call('DELETE', `${NS}/metadata-store-realms/zk-b:2181/sharding-keys/stock/us`)).status, 200);
    const missing = await call('DELETE', `${NS}/metadata-store-realms/zk-b:2181/sharding-keys/stock/us`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body?.['code'], 'NOT_FOUND');
  });

  it('refuses a nested or duplicate key with 400 naming the conflicting key, and changes nothing', async () => {
    const before = (await call('GET', `${NS}/routing-data`)).body;
    const nested = await call('PUT', `${NS}/metadata-store-realms/zk-b:2181/sharding-keys/orders/eu`);
    assert.equal(nested.status, 400);
    assert.match(String(nested.body?.['message']), /"\/orders"/);
    const parent = await call('PUT', `${NS}/metadata-store-realms/zk-a:2181/sharding-keys/stock`);
    assert.equal(parent.status, 400);
    assert.match(String(parent.body?.['message']), /"\/stock\/eu"/);
    const duplicate = await call('PUT', `${NS}/metadata-store-realms/zk-a:2181/sharding-keys/billing`);
    assert.equal(duplicate.status, 400);
    assert.match(String(duplicate.body?.['message']), /"\/billing"/);
    const bad = await call('PUT', `${NS}/metadata-store-realms/zk-a:2181/sharding-keys/a//b`);
    assert.equal(bad.status, 400);
    assert.deepEqual((await call('GET', `${NS}/routing-data`)).body, before);
  });

  it('adds and deletes realms; a bad realm name is a 400', async () => {
    assert.equal((await call('PUT', `${NS}/metadata-store-realms/zk-c:2181`)).status, 201);
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms/zk-c:2181/sharding-keys`)).body, { realm: 'zk-c:2181', shardingKeys: [] });
    assert.equal((await call('DELETE', `${NS}/metadata-store-realms/zk-c:2181`)).status, 200);
    assert.equal((await call('GET', `${NS}/metadata-store-realms/zk-c:2181/sharding-keys`)).status, 404);
    assert.equal((await call('DELETE', `${NS}/metadata-store-realms/zk-c:2181`)).status, 404);
    assert.equal((await call('PUT', `${NS}/metadata-store-realms/bad%20realm`)).status, 400);
  });

  it('writes need the bearer token; reads do not', async () => {
    const none = await call('PUT', `${NS}/metadata-store-realms/zk-d:2181`, undefined, {});
    assert.equal(none.status, 401);
    assert.equal(none.body?.['code'], 'UNAUTHORIZED');
    assert.equal((await call('DELETE', `${NS}/metadata-store-realms/zk-a:2181`, undefined, { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await call('PUT', `${NS}/routing-data`, { r: ['/x'] }, { authorization: 'Basic abc' })).status, 401);
    assert.equal((await call('GET', `${NS}/metadata-store-realms`, undefined, {})).status, 200);
    assert.deepEqual((await call('GET', `${NS}/metadata-store-realms`)).body?.['realms'], ['zk-a:2181', 'zk-b:2181']);
  });

  it('malformed JSON is a 400 with { code, message }', async () => {
    const response = await app.inject({ method: 'PUT', url: `${NS}/routing-data`, headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"r":' });
    assert.equal(response.statusCode, 400);
    assert.equal((response.json() as { code: string }).code, 'INVALID_ARGUMENT');
  });
});
