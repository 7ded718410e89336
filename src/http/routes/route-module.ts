import type { FastifyInstance } from 'fastify';
import type { NodeView } from '../node-view.js';
import type { OpenApiCollector } from '../openapi.js';

export interface RouteContext {
  readonly node: NodeView;
  readonly openapi: OpenApiCollector;
}

/** Registers one feature's routes. Each lives in its own file and is listed in routes/index.ts. */
export type RouteModule = (app: FastifyInstance, context: RouteContext) => void;
