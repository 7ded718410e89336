/**
 * Builds an OpenAPI 3.0 document from the JSON schemas the routes declare. Routes are collected
 * with Fastify's onRoute hook, so a route documents itself by declaring its schema.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

type JsonSchema = Record<string, unknown>;

interface RouteSchema {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly hide?: boolean;
  readonly params?: JsonSchema;
  readonly querystring?: JsonSchema;
  readonly body?: JsonSchema;
  readonly response?: Record<string, JsonSchema>;
  /** Content type of the 200 reply when it is not JSON (`text/plain`, `text/html`). */
  readonly produces?: readonly string[];
}

interface CollectedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: RouteSchema;
  readonly auth: boolean;
}

export class OpenApiCollector {
  readonly #routes: CollectedRoute[] = [];

  /** Starts collecting the routes registered on `app` from now on. */
  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      const schema = (route.schema ?? {}) as RouteSchema;
      if (schema.hide) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const auth = (route.config as { auth?: boolean } | undefined)?.auth === true;
      for (const method of methods) {
        if (method !== 'HEAD') this.#routes.push({ method: method.toLowerCase(), url: route.url, schema, auth });
      }
    });
  }

  /** The OpenAPI document of every collected route. */
  document(info: { title: string; version: string; description?: string }): JsonSchema {
    const paths: Record<string, Record<string, JsonSchema>> = {};
    for (const route of this.#routes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      (paths[path] ??= {})[route.method] = operation(route);
    }
    return {
      openapi: '3.0.3',
      info,
      paths,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'auth.token of the node' } } },
    };
  }
}

function operation(route: CollectedRoute): JsonSchema {
  const { schema } = route;
  const op: JsonSchema = {};
  if (schema.summary) op.summary = schema.summary;
  if (schema.description) op.description = schema.description;
  if (schema.tags) op.tags = [...schema.tags];
  const parameters = [...parametersOf(schema.params, 'path'), ...parametersOf(schema.querystring, 'query')];
  if (parameters.length > 0) op.parameters = parameters;
  if (schema.body) op.requestBody = { required: true, content: { 'application/json': { schema: schema.body } } };
  const responses: Record<string, JsonSchema> = {};
  for (const [status, body] of Object.entries(schema.response ?? {})) {
    const type = status === '200' && schema.produces?.[0] ? schema.produces[0] : 'application/json';
    responses[status] = { description: (body.description as string | undefined) ?? describeStatus(status), content: { [type]: { schema: body } } };
  }
  if (Object.keys(responses).length === 0) responses['200'] = { description: 'OK' };
  op.responses = responses;
  if (route.auth) op.security = [{ bearer: [] }];
  return op;
}

function parametersOf(schema: JsonSchema | undefined, where: 'path' | 'query'): JsonSchema[] {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
    ...(property.description ? { description: property.description } : {}),
  }));
}

function describeStatus(status: string): string {
  const known: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'No content', '400': 'Bad request', '401': 'Unauthorized', '403': 'Forbidden', '404': 'Not found', '409': 'Conflict', '503': 'Unavailable' };
  return known[status] ?? `Status ${status}`;
}
