/**
 * The bearer-token hook for mutating endpoints. A route opts in with `config: { auth: true }`;
 * it then needs `Authorization: Bearer <auth.token>` (else 401). With no token configured such
 * routes are refused (403), so a node never accepts writes from anyone by accident. The rule
 * and its answers are the directory service's (write-guard.ts); a node has no option to open
 * its writes to anyone: a token is always needed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WriteGuard } from '../write-guard.js';
import { HttpError } from './http-errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route changes state: it requires the bearer token. */
    auth?: boolean;
  }
}

/** Installs the hook; `token` is `auth.token` (null: mutating routes are disabled). */
export function installAuth(app: FastifyInstance, token: string | null): void {
  const guard = new WriteGuard({ token, tokenHint: 'auth.token (BATON_AUTH_TOKEN) on the node' });
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.config.auth !== true) return;
    const refusal = guard.check(request.headers.authorization);
    if (refusal === null) return;
    if (refusal.status === 401) void reply.header('www-authenticate', 'Bearer');
    throw new HttpError(refusal.status, refusal.code, refusal.message);
  });
}
