/**
 * The node's HTTP server compiles a route's JSON schemas on the route's first request, not when
 * it gets ready (src/http/lazy-schema-compilers.ts), and they apply as Fastify's own would: a
 * bad body is refused, a query string is coerced, a reply is shaped by its schema.
 * Its own file: it reads which compiler modules this process has loaded.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { MemoryStore } from '../../src/backends/memory/index.js';
import type { NodeView } from '../../src/http/node-view.js';
import { createHttpServer } from '../../src/http/server.js';
import { silentLogger, testConfig } from '../node/node-helpers.js';

/** The schema compilers' entry modules (Fastify loads a small serializer runtime regardless). */
const COMPILER_MODULES = [/\/ajv\/dist\/ajv\.js$/, /\/fast-json-stringify\/index\.js$/];
const loadedCompilers = () => Object.keys(createRequire(import.meta.url).cache).filter((file) => COMPILER_MODULES.some((re) => re.test(file)));

describe('HTTP route schemas', () => {
  const backend = new MemoryStore().backend('web');
  let app: FastifyInstance;

  before(async () => {
    const config = testConfig({ cluster: 'web', nodeId: 'self' });
    const node: NodeView = {
      config, nodeId: config.nodeId, logger: silentLogger, backend, metrics: new Registry(), sessionState: 'live',
      isLeader: () => false, feature: () => undefined, holding: () => ({ ready: true, draining: false, leader: false, items: {} }),
      drain: async () => ({ drained: true, stalled: false, holding: { ready: true, draining: true, leader: false, items: {} } }), cancelDrain: async () => null,
    };
    app = createHttpServer(node, { logger: silentLogger });
    app.post('/things', {
      schema: {
        querystring: { type: 'object', properties: { copies: { type: 'integer' } } },
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
        response: { 201: { type: 'object', properties: { name: { type: 'string' }, copies: { type: 'integer' } } } },
      },
    }, async (request, reply) => reply.status(201).send({ ...(request.body as object), copies: (request.query as { copies: unknown }).copies, secret: 'not in the schema' }));
    await app.ready();
  });
  after(async () => {
    await app.close();
    await backend.close();
  });

  it('are not compiled when the server gets ready', () => {
    assert.deepEqual(loadedCompilers(), []);
  });

  it('are compiled on first request and validate, coerce and shape as declared', async () => {
    const invalid = await app.inject({ method: 'POST', url: '/things', payload: { nom: 1 } });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().code, 'INVALID_ARGUMENT');
    assert.match(invalid.json().message, /name/);
    const created = await app.inject({ method: 'POST', url: '/things?copies=3', payload: { name: 'x' } });
    assert.equal(created.statusCode, 201);
    assert.deepEqual(created.json(), { name: 'x', copies: 3 });
    assert.equal(loadedCompilers().length, COMPILER_MODULES.length);
  });
});
