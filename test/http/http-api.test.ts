import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { MemoryStore } from '../../src/backends/memory/index.js';
import type { Backend, SessionState } from '../../src/contract/contract.js';
import { CLUSTER_LEADER_ELECTION } from '../../src/election/index.js';
import type { NodeView } from '../../src/http/node-view.js';
import { createHttpServer } from '../../src/http/server.js';
import { FAST_TIMING, silentLogger, testConfig } from '../node/node-helpers.js';

/** A NodeView over a memory backend whose session state the test sets by hand. */
function fakeNode(backend: Backend, token: string | null): NodeView & { state: SessionState | 'none' } {
  const config = testConfig({ cluster: 'web', nodeId: 'self', auth: { token } });
  return {
    config,
    nodeId: config.nodeId,
    logger: silentLogger,
    backend,
    metrics: new Registry(),
    state: 'none',
    get sessionState() {
      return this.state;
    },
    isLeader: () => false,
    feature: () => undefined,
    holding: () => ({ ready: true, draining: false, leader: false, items: {} }),
    drain: async () => ({ drained: true, stalled: false, holding: { ready: true, draining: true, leader: false, items: {} } }),
    cancelDrain: async () => null,
  };
}

describe('HTTP API', () => {
  const store = new MemoryStore();
  let app: FastifyInstance;
  let node: ReturnType<typeof fakeNode>;
  const other = store.backend('web');

  before(async () => {
    node = fakeNode(store.backend('web'), 's3cret');
    app = createHttpServer(node, { logger: silentLogger });
    // A mutating route as a feature would add it: it opts into the bearer-token hook.
    app.post('/things', {
      config: { auth: true },
      schema: { summary: 'Create a thing', body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, response: { 201: { type: 'object', properties: { name: { type: 'string' } } } } },
    }, async (request, reply) => reply.status(201).send(request.body));
    await app.ready();
  });
  after(async () => {
    await app.close();
    await other.close();
    await node.backend.close();
  });

  it('GET /health is 200 while the process is up', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok', nodeId: 'self' });
  });

  it('GET /ready follows the session state', async () => {
    node.state = 'none';
    const down = await app.inject({ method: 'GET', url: '/ready' });
    assert.equal(down.statusCode, 503);
    assert.equal(down.json().code, 'NOT_READY');
    node.state = 'live';
    assert.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);
    node.state = 'suspended';
    assert.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 503);
  });

  it('GET /leader is 503 NO_LEADER without a leader, then names the leader', async () => {
    const none = await app.inject({ method: 'GET', url: '/leader' });
    assert.equal(none.statusCode, 503);
    assert.equal(none.json().code, 'NO_LEADER');
    assert.equal(typeof none.json().message, 'string');
    const session = await other.openSession({ nodeId: 'boss', info: { host: 'h', ports: { http: 1 } }, timing: FAST_TIMING });
    const leadership = await session.campaign(CLUSTER_LEADER_ELECTION, { host: 'h', ports: { http: 1 } });
    const found = await app.inject({ method: 'GET', url: '/leader' });
    assert.equal(found.statusCode, 200);
    assert.deepEqual({ ...(found.json() as object), since: 0 }, { nodeId: 'boss', term: leadership.term, since: 0, info: { host: 'h', ports: { http: 1 } } });
    const cluster = (await app.inject({ method: 'GET', url: '/cluster' })).json();
    assert.equal(cluster.leader.nodeId, 'boss');
    assert.equal(cluster.term, leadership.term);
    assert.deepEqual(cluster.members.map((m: { nodeId: string; leader: boolean; live: boolean }) => [m.nodeId, m.leader, m.live]), [['boss', true, true]]);
    await session.close();
  });

  it('errors are JSON { code, message } with a fitting status', async () => {
    const missing = await app.inject({ method: 'GET', url: '/nope' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'NOT_FOUND');
    const invalid = await app.inject({ method: 'POST', url: '/things', headers: { authorization: 'Bearer s3cret' }, payload: { nom: 1 } });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().code, 'INVALID_ARGUMENT');
  });

  it('mutating routes require the bearer token', async () => {
    const payload = { name: 'x' };
    assert.equal((await app.inject({ method: 'POST', url: '/things', payload })).json().code, 'UNAUTHORIZED');
    const wrong = await app.inject({ method: 'POST', url: '/things', payload, headers: { authorization: 'Bearer guess' } });
    assert.equal(wrong.statusCode, 401);
    const right = await app.inject({ method: 'POST', url: '/things', payload, headers: { authorization: 'Bearer s3cret' } });
    assert.equal(right.statusCode, 201);
    assert.deepEqual(right.json(), payload);
  });

  it('mutating routes are refused when no token is configured', async () => {
    const open = createHttpServer(fakeNode(store.backend('web2'), null), { logger: silentLogger });
    open.post('/things', { config: { auth: true } }, async () => ({ ok: true }));
    try {
      const response = await open.inject({ method: 'POST', url: '/things', payload: {} });
      assert.equal(response.statusCode, 403);
      assert.equal(response.json().code, 'FORBIDDEN');
    } finally {
      await open.close();
    }
  });

  it('serves an OpenAPI document built from the route schemas', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(doc.openapi, '3.0.3');
    for (const path of ['/health', '/ready', '/cluster', '/leader', '/metrics', '/things']) assert.ok(doc.paths[path], path);
    assert.deepEqual(Object.keys(doc.paths['/leader'].get.responses).sort(), ['200', '503']);
    assert.equal(doc.paths['/leader'].get.responses['200'].content['application/json'].schema.properties.term.type, 'integer');
    assert.deepEqual(doc.paths['/things'].post.security, [{ bearer: [] }]);
    assert.equal(doc.paths['/things'].post.requestBody.content['application/json'].schema.required[0], 'name');
    assert.equal(doc.paths['/health'].get.security, undefined);
    assert.ok(doc.paths['/metrics'].get.responses['200'].content['text/plain']);
  });

  it('serves the docs page, the dashboard and Prometheus text', async () => {
    const docs = await app.inject({ method: 'GET', url: '/docs' });
    assert.match(String(docs.headers['content-type']), /text\/html/);
    assert.match(docs.body, /openapi\.json/);
    const dashboard = await app.inject({ method: 'GET', url: '/' });
    assert.match(dashboard.body, /new EventSource\('\/events'\)/);
    assert.match(dashboard.body, /fetch\('\/dashboard\/state'/);
    node.metrics.registerMetric(new (await import('prom-client')).Gauge({ name: 'probe_value', help: 'probe', registers: [] }));
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    assert.match(String(metrics.headers['content-type']), /text\/plain/);
    assert.match(metrics.body, /# HELP probe_value probe/);
    assert.ok(!metrics.body.startsWith('"'), 'sent as text, not as a JSON string');
  });
});
