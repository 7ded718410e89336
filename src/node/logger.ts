import { pino, type Logger } from 'pino';
import type { BatonConfig } from '../config/types.js';

/** pino's level number of `error`: from here up a log line keeps an error's stack trace. */
const ERROR_LEVEL = 50;

/**
 * An error as a line below error level shows it: its type, code and message, no stack (a
 * warning that the node retries is not a crash; the stack is kept for error and fatal).
 */
function briefError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  return { type: error.name, ...(code === undefined ? {} : { code }), message: error.message };
}

/**
 * The node's structured logger: JSON lines on stdout, bound to the cluster and node id. A key
 * is bound once along a chain of child loggers (components that name themselves use
 * childLogger, src/child-logger.ts), so no key repeats in a line; test/node/node-logs.test.ts
 * checks the raw lines.
 */
export function createNodeLogger(config: BatonConfig, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level: config.log.level,
    base: { cluster: config.cluster, nodeId: config.nodeId },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: Logger['info'], level: number) {
        const [first, ...rest] = args as unknown[];
        if (level < ERROR_LEVEL && first instanceof Error) {
          return method.apply(this, [{ err: briefError(first) }, ...(rest.length === 0 ? [first.message] : rest)] as Parameters<Logger['info']>);
        }
        if (level < ERROR_LEVEL && typeof first === 'object' && first !== null && 'err' in first) {
          return method.apply(this, [{ ...first, err: briefError((first as { err: unknown }).err) }, ...rest] as Parameters<Logger['info']>);
        }
        return method.apply(this, args);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
