import type { RouteModule } from './route-module.js';

/** `GET /metrics`: the node's Prometheus registry in the text exposition format. */
export const metricsRoutes: RouteModule = (app, { node }) => {
  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics of this node',
      tags: ['node'],
      produces: ['text/plain'],
      response: { 200: { type: 'string', description: 'Prometheus text exposition format' } },
    },
  }, async (_request, reply) => {
    const text = await node.metrics.metrics();
    return reply.type(node.metrics.contentType).send(text);
  });
};
