export { createHttpServer, type HttpServerOptions } from './server.js';
export { httpSurface } from './http-surface.js';
export { createNode, startNode } from './start-node.js';
export type { NodeView } from './node-view.js';
export type { RouteModule, RouteContext } from './routes/route-module.js';
export { HttpError } from './http-errors.js';
export { OpenApiCollector } from './openapi.js';
