/**
 * How a command reports a failure, apart from the runner (run-cli.ts) so that commands can use
 * it without importing the runner that imports them.
 */
import { isBatonError } from '../errors.js';
import { UsageError, type CliIo } from './command.js';
import { json } from './output.js';

/** The exit code of a failure: 2 for a usage or configuration mistake, 1 for everything else. */
export function exitCodeOf(error: unknown): 1 | 2 {
  return error instanceof UsageError || isBatonError(error, 'CONFIG') ? 2 : 1;
}

/** Prints a command's error (one line: text, or JSON with `asJson`) on stderr and picks the exit code. */
export function reportError(name: string, error: unknown, io: CliIo, asJson = false): number {
  const message = error instanceof Error ? error.message : String(error);
  if (asJson) {
    const code = isBatonError(error) ? error.code : error instanceof UsageError ? 'USAGE' : 'ERROR';
    io.err(json({ error: { command: name, code, message } }));
  } else {
    io.err(`baton ${name}: ${message}`);
  }
  return exitCodeOf(error);
}
