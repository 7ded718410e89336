/**
 * The operator's verbs over HTTP: `GET /operations` (maintenance, every stored request such as
 * drains and a leader transfer, the action log) and maintenance on and off (bearer token). The
 * caller names itself with `by`; without it the action is logged as `http@<client address>`.
 */
import type { FastifyRequest } from 'fastify';
import { MAINTENANCE_FOR_MAX_MS, MAINTENANCE_REASON_MAX, operatorName, readOperations, turnMaintenanceOff, turnMaintenanceOn } from '../../operations/index.js';
import { errorSchema } from '../schemas.js';
import type { RouteModule } from './route-module.js';

const anyJson = { description: 'As stored' } as const;
const maintenanceSchema = {
  type: 'object',
  required: ['active', 'stored', 'problem'],
  properties: {
    active: { type: 'boolean', description: 'Placement is frozen now (stored, valid, not past until on this node\'s wall clock)' },
    stored: {
      type: ['object', 'null'],
      description: 'operations/maintenance as stored (also when expired): reason, by, since, until (ISO 8601 or null), auto',
      additionalProperties: true,
    },
    problem: { type: ['string', 'null'], description: 'Why a stored document reads as off (expired, corrupt)' },
  },
} as const;
const actionSchema = {
  type: 'object',
  required: ['verb', 'by', 'at', 'detail'],
  properties: { verb: { type: 'string' }, by: { type: 'string' }, at: { type: 'string', description: 'The writer\'s wall clock, ISO 8601' }, detail: { type: 'object', additionalProperties: true } },
} as const;
const operationsSchema = {
  type: 'object',
  required: ['maintenance', 'requests', 'actions'],
  properties: {
    maintenance: maintenanceSchema,
    requests: { type: 'object', additionalProperties: anyJson, description: 'Every other request under operations/, by key without the prefix ("drain/n1", "leader-transfer")' },
    actions: { type: 'array', items: actionSchema, description: 'The action log, oldest first (the newest 200)' },
  },
} as const;
const onBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', minLength: 1, maxLength: MAINTENANCE_REASON_MAX, description: 'Why: shown to everyone who sees the freeze' },
    forMs: { type: 'integer', minimum: 1, maximum: MAINTENANCE_FOR_MAX_MS, description: 'The freeze ends by itself after this long (ms); omitted: until turned off' },
    by: { type: 'string', minLength: 1, maxLength: 200, description: 'Who asks, for the action log' },
  },
} as const;
const byQuery = { type: 'object', additionalProperties: false, properties: { by: { type: 'string', minLength: 1, maxLength: 200, description: 'Who asks, for the action log' } } } as const;
const writeErrors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 503: errorSchema } as const;

/** Who an HTTP action is logged as: the `by` given, else the client's address. */
function callerName(request: FastifyRequest, by: string | undefined): string {
  return operatorName(by ?? `http@${request.ip}`);
}

export const operationsRoutes: RouteModule = (app, { node }) => {
  app.get('/operations', {
    schema: { summary: 'Maintenance mode, pending operator requests (drain, leader transfer, ...) and the action log, read from the store', tags: ['operations'], response: { 200: operationsSchema, 503: errorSchema } },
  }, async () => readOperations(node.backend.kv));

  app.put('/operations/maintenance', {
    config: { auth: true },
    schema: {
      summary: 'Turn maintenance mode on: freeze every bucket and partition move (replaces a freeze already on); recorded as maintenance-on',
      tags: ['operations'],
      body: onBody,
      response: { 200: maintenanceSchema, ...writeErrors },
    },
  }, async (request) => {
    const body = request.body as { reason: string; forMs?: number; by?: string };
    await turnMaintenanceOn(node.backend.kv, { reason: body.reason, by: callerName(request, body.by), ...(body.forMs === undefined ? {} : { forMs: body.forMs }) });
    return (await readOperations(node.backend.kv)).maintenance;
  });

  app.delete('/operations/maintenance', {
    config: { auth: true },
    schema: { summary: 'Turn maintenance mode off: the leader places again at once; recorded as maintenance-off', tags: ['operations'], querystring: byQuery, response: { 200: maintenanceSchema, ...writeErrors } },
  }, async (request) => {
    const live = (await node.backend.members()).map((m) => m.nodeId);
    await turnMaintenanceOff(node.backend.kv, { by: callerName(request, (request.query as { by?: string }).by), live });
    return (await readOperations(node.backend.kv)).maintenance;
  });
};
