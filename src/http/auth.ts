/**
 * The bearer-token hook for mutating endpoints. A route opts in with `config: { auth: true }`;
 * it then needs `Authorization: Bearer <auth.token>`. With no token configured such routes are
 * refused, so a node never accepts writes from anyone by accident.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route changes state: it requires the bearer token. */
    auth?: boolean;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Installs the hook; `token` is `auth.token` (null: mutating routes are disabled). */
export function installAuth(app: FastifyInstance, token: string | null): void {
  const expected = token === null ? null : digest(token);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.routeOptions.config.auth !== true) return;
    if (expected === null) throw new HttpError(403, 'FORBIDDEN', 'this endpoint changes state and is disabled: set auth.token (BATON_AUTH_TOKEN) on the node to enable it');
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    // Compare digests so the comparison takes the same time whatever the length of the guess.
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      throw new HttpError(401, 'UNAUTHORIZED', 'missing or wrong bearer token: send "Authorization: Bearer <auth.token>"');
    }
  });
}
