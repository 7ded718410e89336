/**
 * Errors as JSON `{ code, message }` with a status code that says what kind of failure it is.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { BatonError, type BatonErrorCode } from '../errors.js';

/** An error a route answers with: HTTP status, stable code, message. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

const STATUS_BY_CODE: Partial<Record<BatonErrorCode, number>> = {
  CONFIG: 400,
  INVALID_ARGUMENT: 400,
  UNSUPPORTED: 400,
  NOT_FOUND: 404,
  STATE: 409,
  NOT_LEADER: 409,
  FENCED: 409,
  VERSION_CONFLICT: 409,
  NODE_ID_IN_USE: 409,
  STORE_UNAVAILABLE: 503,
  SESSION_LOST: 503,
  CLOSED: 503,
};

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError | BatonError | HttpError, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.statusCode).send({ code: error.code, message: error.message });
    if ('validation' in error && error.validation) return reply.status(400).send({ code: 'INVALID_ARGUMENT', message: error.message });
    if (error instanceof BatonError) {
      const status = STATUS_BY_CODE[error.code] ?? 500;
      if (status >= 500) logger.warn({ err: error, url: request.url }, 'request failed');
      return reply.status(status).send({ code: error.code, message: error.message });
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      logger.error({ err: error, url: request.url }, 'request failed');
      return reply.status(status).send({ code: 'INTERNAL', message: 'internal error; see the node log' });
    }
    return reply.status(status).send({ code: error.code ?? 'BAD_REQUEST', message: error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}; see /docs` }));
}
