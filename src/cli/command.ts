import type { ParseArgsConfig } from 'node:util';

/** parseArgs option definitions of a command, each with a line of help. */
export type CommandOptions = Record<string, NonNullable<ParseArgsConfig['options']>[string] & { readonly help: string; readonly value?: string }>;

/** Where a command writes; tests and the demo substitute their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * One `baton` command: one file under commands/, one line in registry.ts. `run` returns the
 * exit code (0 ok, 1 failure, 2 usage or configuration error).
 */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** `baton status [options]`. */
  readonly usage: string;
  readonly examples: readonly string[];
  /** Lines of the help's "Exit codes:" section when they differ from the usual 0 / 1 / 2. */
  readonly exitCodes?: readonly string[];
  readonly options: CommandOptions;
  /** The command also takes every configuration flag (`--http-port`, `--election-ttl-ms`, ...). */
  readonly configFlags?: boolean;
  /**
   * The configuration paths (or sections) the command uses, listed first in its help; the
   * other config flags follow as node options. Undefined: it uses them all (`start`).
   */
  readonly usesConfig?: readonly string[];
  readonly positionals?: boolean;
  run(values: Readonly<Record<string, unknown>>, positionals: readonly string[], io: CliIo): Promise<number>;
}

/** A mistake in how the command was called: message, then exit code 2. */
export class UsageError extends Error {}

/** `--by NAME`: who asks, for the action log of an operator verb (drain, maintenance, leader transfer). */
export const OPERATOR_OPTION: CommandOptions[string] = { type: 'string', value: 'NAME', help: 'Who asks, for the action log (default $BATON_OPERATOR, else user@host)' };

/** The process's stdout, stderr and environment. */
export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
};
