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
 * One key once per line, whatever the child loggers bound: pino writes a child's bindings after
 * its parent's, so a feature that binds `feature` or `nodeId` again would repeat the key (and
 * JSON readers disagree on which value wins). The line is rewritten only when a key repeats;
 * the later value wins, as JSON.parse reads it.
 */
export function withoutRepeatedKeys(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line; // not one JSON document: leave it as it is
  }
  const rewritten = `${JSON.stringify(parsed)}\n`;
  return rewritten.length === line.length ? line : rewritten;
}

/** The node's structured logger: JSON lines on stdout, bound to the cluster and node id. */
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
      streamWrite: withoutRepeatedKeys,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
