import type { Logger } from 'pino';

/**
 * A child of `logger` that binds only those of `fields` that `logger` does not bind yet (its
 * base included); a key it binds already keeps its value. pino writes a child's bindings after
 * its parent's, so binding a key again would write it twice in one line, and JSON readers
 * disagree on which value wins. Use it where a component names itself in its log lines
 * (`nodeId`, `election`) but may be given a logger that names it already.
 */
export function childLogger(logger: Logger, fields: Readonly<Record<string, unknown>>): Logger {
  const bound = logger.bindings();
  return logger.child(Object.fromEntries(Object.entries(fields).filter(([key]) => !Object.hasOwn(bound, key))));
}
