import { errorSchema } from '../schemas.js';
import type { RouteModule } from './route-module.js';

/** `GET /health` (the process is up) and `GET /ready` (the node's session is live). */
export const healthRoutes: RouteModule = (app, { node }) => {
  app.get('/health', {
    schema: {
      summary: 'The process is up',
      tags: ['node'],
      response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] }, nodeId: { type: 'string' } } } },
    },
  }, async () => ({ status: 'ok', nodeId: node.nodeId }));

  app.get('/ready', {
    schema: {
      summary: 'The node has a live session in the cluster',
      description: '200 while the session is live; 503 NOT_READY while it is being opened, suspended or lost.',
      tags: ['node'],
      response: {
        200: { type: 'object', required: ['status', 'session'], properties: { status: { type: 'string', enum: ['ready'] }, session: { type: 'string' } } },
        503: errorSchema,
      },
    },
  }, async (_request, reply) => {
    const session = node.sessionState;
    if (session === 'live') return { status: 'ready', session };
    return reply.status(503).send({ code: 'NOT_READY', message: `session is ${session === 'none' ? 'not open' : session}` });
  });
};
