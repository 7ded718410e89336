import { processMetrics } from '../../node/process-metrics.js';
import type { RouteModule } from './route-module.js';

/** `GET /metrics`: the node's Prometheus registry, then Node's process metrics, in the text exposition format. */
export const metricsRoutes: RouteModule = (app, { node }) => {
  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics of this node',
      tags: ['node'],
      produces: ['text/plain'],
      response: { 200: { type: 'string', description: 'Prometheus text exposition format' } },
    },
  }, async (_request, reply) => {
    const text = `${await node.metrics.metrics()}\n${await processMetrics().metrics()}`;
    return reply.type(node.metrics.contentType).send(text);
  });
};
