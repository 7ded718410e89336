/**
 * Partitioned leadership over HTTP: Pinot's `GET /leader/tables[/{table}]`, the enable flag and
 * the keys registry of each resource (mutations need the bearer token), and a leader-only
 * endpoint that answers 409 NOT_LEADER with the leader's address when asked on another node.
 */
import type { FastifyRequest } from 'fastify';
import { NotFoundError } from '../../errors.js';
import type { PartitionLeadership } from '../../partitions/partition-leadership.js';
import { PARTITIONS_FEATURE, type PartitionsFeature } from '../../partitions/partitions-feature.js';
import { leaderForTableText, leaderTables } from '../../partitions/leader-tables.js';
import { addResourceKey, removeResourceKey, setResourceEnabled } from '../../partitions/resource-admin.js';
import { HttpError } from '../http-errors.js';
import type { NodeView } from '../node-view.js';
import { errorSchema } from '../schemas.js';
import type { RouteModule } from './route-module.js';

const entrySchema = {
  type: 'object',
  required: ['leadControllerId', 'tableNames'],
  properties: { leadControllerId: { type: ['string', 'null'] }, tableNames: { type: 'array', items: { type: 'string' } } },
} as const;
const tablesSchema = {
  type: 'object',
  required: ['leadControllerResourceEnabled', 'leadControllerEntryMap'],
  properties: {
    leadControllerResourceEnabled: { type: 'boolean' },
    leadControllerEntryMap: { type: 'object', additionalProperties: entrySchema, description: '"<resource>_<partition>" -> entry, every partition in order' },
  },
} as const;
const resourceQuery = { type: 'object', properties: { resource: { type: 'string', description: 'Resource name; default leadControllerResource, else the first configured' } } } as const;
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } as const;
const keyParams = { type: 'object', required: ['name', 'key'], properties: { name: { type: 'string' }, key: { type: 'string' } } } as const;
const resourceSchema = {
  type: 'object',
  required: ['name', 'enabled', 'partitions', 'replicas', 'rebalanceDelayMs', 'leading', 'placement'],
  properties: {
    name: { type: 'string' },
    enabled: { type: 'boolean' },
    partitions: { type: 'integer' },
    replicas: { type: 'integer' },
    rebalanceDelayMs: { type: 'integer' },
    leading: { type: 'array', items: { type: 'integer' }, description: 'Partitions this node leads now' },
    placement: {
      type: 'array',
      items: {
        type: 'object',
        required: ['partition', 'nodes', 'leader', 'keys'],
        properties: {
          partition: { type: 'integer' },
          nodes: { type: 'array', items: { type: 'string' }, description: 'Master first, then standbys' },
          leader: { type: ['string', 'null'] },
          keys: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;
const okSchema = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } } as const;

/** The resource `name` (or the default one), else 404 NOT_FOUND. */
export function resourceOf(node: NodeView, name: string | undefined): PartitionLeadership {
  const feature = node.feature<PartitionsFeature>(PARTITIONS_FEATURE);
  const chosen = name ?? feature?.names()[0];
  if (feature === undefined || chosen === undefined) throw new HttpError(404, 'NOT_FOUND', 'this node runs no partitioned resource (config partitions.<name>)');
  try {
    return feature.resource(chosen);
  } catch (error) {
    if (error instanceof NotFoundError) throw new HttpError(404, 'NOT_FOUND', error.message);
    throw error;
  }
}

function queryOf(request: FastifyRequest): { resource?: string } {
  return request.query as { resource?: string };
}

function paramsOf(request: FastifyRequest): { name: string; key: string } {
  return request.params as { name: string; key: string };
}

export const partitionRoutes: RouteModule = (app, { node }) => {
  app.get('/leader/tables', {
    schema: { summary: 'Leader of every partition and its tables (Pinot shape)', tags: ['partitions'], querystring: resourceQuery, response: { 200: tablesSchema, 404: errorSchema } },
  }, async (request) => leaderTables(resourceOf(node, queryOf(request).resource)));

  app.get('/leader/tables/:table', {
    schema: {
      summary: 'Leader of one table\'s partition (Pinot shape)',
      tags: ['partitions'],
      params: { type: 'object', required: ['table'], properties: { table: { type: 'string' } } },
      querystring: resourceQuery,
      response: { 200: tablesSchema, 404: errorSchema },
    },
  }, async (request, reply) => {
    // Percent-decoded once by the router. An empty name (`/leader/tables/`) names no table: 404,
    // as Pinot's `/tables/{tableName}` template does not match it.
    const table = (request.params as { table: string }).table;
    if (table === '') throw new HttpError(404, 'NOT_FOUND', 'no table named: GET /leader/tables/{table} needs a table name (GET /leader/tables lists every partition)');
    const text = leaderForTableText(resourceOf(node, queryOf(request).resource), table);
    return reply.type('application/json; charset=utf-8').send(text);
  });

  app.get('/resources/:name', {
    schema: {
      summary: 'A partitioned resource as this node sees it: flag, placement, leaders, what this node leads',
      tags: ['partitions'],
      params: nameParams,
      response: { 200: resourceSchema, 404: errorSchema },
    },
  }, async (request) => {
    const resource = resourceOf(node, paramsOf(request).name);
    const placement = resource.placement();
    const { name, partitions, replicas, rebalanceDelayMs } = resource.options;
    return {
      name,
      enabled: resource.enabled(),
      partitions,
      replicas,
      rebalanceDelayMs,
      leading: resource.leading(),
      placement: Array.from({ length: partitions }, (_, p) => ({ partition: p, nodes: [...(placement?.[String(p)] ?? [])], leader: resource.leaderOfPartition(p), keys: [...resource.keysOf(p)] })),
    };
  });

  for (const enabled of [true, false]) {
    app.post(`/resources/:name/${enabled ? 'enable' : 'disable'}`, {
      config: { auth: true },
      schema: {
        summary: enabled ? 'Enable the resource (partition masters lead their keys)' : 'Disable the resource (the cluster leader leads every key)',
        tags: ['partitions'],
        params: nameParams,
        response: { 200: okSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    }, async (request) => {
      await setResourceEnabled(node.backend.kv, resourceOf(node, paramsOf(request).name).name, enabled);
      return { ok: true };
    });
  }

  app.put('/resources/:name/keys/:key', {
    config: { auth: true },
    schema: { summary: 'Register a key (table) of the resource', tags: ['partitions'], params: keyParams, response: { 200: okSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } },
  }, async (request) => {
    await addResourceKey(node.backend.kv, resourceOf(node, paramsOf(request).name).name, paramsOf(request).key);
    return { ok: true };
  });

  app.delete('/resources/:name/keys/:key', {
    config: { auth: true },
    schema: { summary: 'Unregister a key (table) of the resource', tags: ['partitions'], params: keyParams, response: { 200: okSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema } },
  }, async (request) => {
    await removeResourceKey(node.backend.kv, resourceOf(node, paramsOf(request).name).name, paramsOf(request).key);
    return { ok: true };
  });

  app.post('/resources/:name/keys/:key/act', {
    schema: {
      summary: 'Leader-only endpoint: 200 on the node that leads the key, else 409 NOT_LEADER with the leader\'s address',
      description: 'Changes nothing; it is the check a leader-only action runs first. 503 NO_LEADER while the key\'s partition has no leader.',
      tags: ['partitions'],
      params: keyParams,
      response: {
        200: { type: 'object', required: ['nodeId', 'partition', 'token'], properties: { nodeId: { type: 'string' }, partition: { type: 'integer' }, token: { type: 'integer' } } },
        409: notLeaderSchema(),
        503: notLeaderSchema(),
      },
    },
  }, async (request, reply) => {
    const resource = resourceOf(node, paramsOf(request).name);
    const answer = resource.isLeaderFor(paramsOf(request).key);
    if (answer.leader) return { nodeId: node.nodeId, partition: answer.partition, token: answer.token };
    const leader = resource.leaderOfPartition(answer.partition);
    const leaderUrl = leader === null ? null : resource.addressOf(leader);
    if (leader === null) {
      return reply.status(503).send({ code: 'NO_LEADER', message: `partition ${answer.partition} of ${resource.name} has no leader right now; retry shortly`, partition: answer.partition, leader, leaderUrl });
    }
    return reply.status(409).send({ code: 'NOT_LEADER', message: `${node.nodeId} does not lead key "${paramsOf(request).key}"; ${leader} does${leaderUrl ? ` at ${leaderUrl}` : ''}`, partition: answer.partition, leader, leaderUrl });
  });
};

function notLeaderSchema() {
  return {
    type: 'object',
    required: ['code', 'message', 'partition', 'leader', 'leaderUrl'],
    properties: {
      code: { type: 'string' },
      message: { type: 'string' },
      partition: { type: 'integer' },
      leader: { type: ['string', 'null'], description: 'Node id of the leader' },
      leaderUrl: { type: ['string', 'null'], description: 'The leader\'s advertised base URL' },
    },
  } as const;
}

