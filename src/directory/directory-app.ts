/**
 * The directory service's HTTP app (Fastify): Helix-compatible REST paths under
 * `/admin/v2/namespaces/{ns}/...`, bearer-token auth on writes, and errors as `{ code, message }`.
 * It holds no routing state of its own: every request reads or writes the store, so any number
 * of instances can serve the same ZooKeeper.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { isBatonError } from '../errors.js';
import type { DirectoryStore } from './directory-store.js';
import { registerDirectoryRoutes } from './directory-routes.js';

export interface DirectoryAppOptions {
  readonly store: DirectoryStore;
  /** When set, PUT and DELETE need `Authorization: Bearer <token>` (else 401). */
  readonly token?: string;
  /** Fastify's logger option (default off). */
  readonly logger?: FastifyServerOptions['logger'];
}

/** HTTP status for each error code a handler may meet; anything else is a 500. */
const STATUS: Readonly<Record<string, number>> = Object.freeze({
  INVALID_ARGUMENT: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  ROUTING: 404,
  VERSION_CONFLICT: 409,
  ABORTED: 503,
  STORE_UNAVAILABLE: 503,
  ZOOKEEPER: 503,
  TIMEOUT: 503,
});

/**
 * Builds the app; the caller listens and closes it.
 *
 * @example
 * const app = buildDirectoryApp({ store: new MemoryDirectoryStore(), token: 's3cret' });
 * await app.listen({ host: '127.0.0.1', port: 0 });
 */
export function buildDirectoryApp(options: DirectoryAppOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  const token = options.token;
  if (token !== undefined) {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      if (!bearerMatches(request.headers.authorization, token)) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({
          code: 'UNAUTHORIZED',
          message: 'this directory needs "Authorization: Bearer <token>" on writes; the token given is missing or wrong',
        });
      }
    });
  }
  app.setErrorHandler(async (error: unknown, _request: FastifyRequest, reply: FastifyReply) => {
    if (isBatonError(error)) {
      const status = STATUS[error.code] ?? 500;
      return reply.code(status).send({ code: error.code, message: error.message });
    }
    const fastifyStatus = (error as { statusCode?: number }).statusCode;
    if (fastifyStatus !== undefined && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Fastify's own refusals (malformed JSON, wrong content type, body too large).
      return reply.code(fastifyStatus).send({ code: 'INVALID_ARGUMENT', message: (error as Error).message });
    }
    reply.log.error({ err: error }, 'directory request failed');
    return reply.code(500).send({ code: 'INTERNAL', message: `internal error: ${String(error)}` });
  });
  app.setNotFoundHandler(async (request: FastifyRequest, reply: FastifyReply) =>
    reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}; see the directory's API under /admin/v2/` }),
  );
  registerDirectoryRoutes(app, options.store);
  return app;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  // Compare digests so the comparison takes the same time whatever the given token's length.
  const given = createHash('sha256').update(match[1] as string).digest();
  const wanted = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, wanted);
}
