import { DASHBOARD_PAGE } from './dashboard-page.js';
import type { RouteModule } from './route-module.js';

/** `GET /`: the dashboard (members and leader; buckets and partitions when in use). */
export const dashboardRoutes: RouteModule = (app) => {
  app.get('/', {
    schema: { summary: 'Dashboard (HTML)', tags: ['docs'], produces: ['text/html'], response: { 200: { type: 'string' } } },
  }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(DASHBOARD_PAGE));
};
