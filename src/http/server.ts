/**
 * The node's HTTP server: Fastify with JSON schemas on every route (compiled on first use),
 * errors as `{ code, message }`,
 * the bearer-token hook, and the routes from routes/index.ts.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { installAuth } from './auth.js';
import { installErrorHandlers } from './http-errors.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import type { NodeView } from './node-view.js';
import { OpenApiCollector } from './openapi.js';
import { routeModules } from './routes/index.js';

export interface HttpServerOptions {
  readonly logger: Logger;
}

/**
 * Builds (does not start) the HTTP server of `node`. Call `listen` on the result.
 * Routes added to the result before `listen`/`ready` are documented and protected too.
 */
/**
 * Longest URL parameter routed, in characters (Fastify's default is 100). Table names may be as
 * long as Pinot allows (it sets no limit), so the bound is Node's own: its 16 KiB default
 * header limit stops longer request lines before routing.
 */
const MAX_PARAM_LENGTH = 65_536;

export function createHttpServer(node: NodeView, options: HttpServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: MAX_PARAM_LENGTH }, schemaController: { compilersFactory: lazySchemaCompilers() } });
  const openapi = new OpenApiCollector();
  openapi.install(app);
  installErrorHandlers(app, options.logger);
  installAuth(app, node.config.auth.token);
  for (const register of routeModules) register(app, { node, openapi });
  return app;
}
