/**
 * The directory service's HTTP app (Fastify): Helix-compatible REST paths under
 * `/admin/v2/namespaces/{ns}/...` (and `/admin/v2/...` for the default namespace), and errors
 * as `{ code, message, error }`: baton's code and message, and Helix's `{"error": message}`
 * (helix-rest `AbstractResource`), which is what Helix clients read. Bodies may be empty even
 * with `Content-Type: application/json` (Helix's own clients send writes that way). Reads are open; writes
 * (every method but GET and HEAD) need the bearer token, are refused when there is none, and
 * are open to anyone only when the operator asked for it (see write-guard.ts): routing data
 * decides which ZooKeeper clients write to, so an open directory lets anyone redirect them.
 * It holds no routing state of its own: every request reads or writes the store, so any number
 * of instances can serve the same ZooKeeper.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { InvalidArgumentError, isBatonError } from '../errors.js';
import { WriteGuard } from '../write-guard.js';
import { DEFAULT_NAMESPACE, type DirectoryStore } from './directory-store.js';
import { DIRECTORY_URL_PREFIX, registerDirectoryRoutes } from './directory-routes.js';

export interface DirectoryAppOptions {
  readonly store: DirectoryStore;
  /** When set, PUT and DELETE need `Authorization: Bearer <token>` (else 401). */
  readonly token?: string;
  /**
   * Without a token, accept writes from anyone (default false: they are refused with 403).
   * Only for a directory reachable by trusted clients alone; a token together with it is a
   * ConfigError.
   */
  readonly allowUnauthenticatedWrites?: boolean;
  /**
   * The namespace also served under `/admin/v2/...`, as Helix's default servlet serves its
   * default namespace (default: `default` when the store serves it).
   */
  readonly defaultNamespace?: string;
  /** Fastify's logger option (default off). */
  readonly logger?: FastifyServerOptions['logger'];
}

/** An error body: baton's `{code, message}` and Helix's `{error}` (the same message). */
export function errorBody(code: string, message: string): { code: string; message: string; error: string } {
  return { code, message, error: message };
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
 * const app = buildDirectoryApp({ store: new MemoryDirectoryStore(), token: process.env.BATON_DIRECTORY_TOKEN });
 * await app.listen({ host: '127.0.0.1', port: 0 });
 */
export function buildDirectoryApp(options: DirectoryAppOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  const guard = directoryWriteGuard(options);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined); // Helix's clients send writes with an empty JSON body
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new InvalidArgumentError(`the body is not JSON: ${(error as Error).message}`));
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const refusal = guard.check(request.headers.authorization);
    if (refusal === null) return;
    if (refusal.status === 401) void reply.header('www-authenticate', 'Bearer');
    await reply.code(refusal.status).send(errorBody(refusal.code, refusal.message));
  });
  app.setErrorHandler(async (error: unknown, _request: FastifyRequest, reply: FastifyReply) => {
    if (isBatonError(error)) {
      const status = STATUS[error.code] ?? 500;
      return reply.code(status).send(errorBody(error.code, error.message));
    }
    const fastifyStatus = (error as { statusCode?: number }).statusCode;
    if (fastifyStatus !== undefined && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Fastify's own refusals (malformed JSON, wrong content type, body too large).
      return reply.code(fastifyStatus).send(errorBody('INVALID_ARGUMENT', (error as Error).message));
    }
    reply.log.error({ err: error }, 'directory request failed');
    return reply.code(500).send(errorBody('INTERNAL', `internal error: ${String(error)}`));
  });
  app.setNotFoundHandler(async (request: FastifyRequest, reply: FastifyReply) =>
    reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url}; see the directory's API under ${DIRECTORY_URL_PREFIX}/namespaces/{namespace}/`)),
  );
  const defaultNamespace = options.defaultNamespace ?? (options.store.namespaces().includes(DEFAULT_NAMESPACE) ? DEFAULT_NAMESPACE : undefined);
  registerDirectoryRoutes(app, options.store, defaultNamespace);
  return app;
}

/** The directory's write rule; a token and the open option together throw ConfigError. */
export function directoryWriteGuard(options: Pick<DirectoryAppOptions, 'token' | 'allowUnauthenticatedWrites'>): WriteGuard {
  return new WriteGuard({
    token: options.token,
    allowUnauthenticatedWrites: options.allowUnauthenticatedWrites,
    tokenHint: '--token-file F or BATON_DIRECTORY_TOKEN (library: the token option)',
    openHint: '--allow-unauthenticated-writes (library: allowUnauthenticatedWrites)',
  });
}
