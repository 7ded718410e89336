/**
 * Parses `baton <command> [options]` and runs the command. Exit codes: 0 ok, 1 failure,
 * 2 unknown command or flag, bad value, invalid configuration.
 */
import { parseArgs } from 'node:util';
import { configSchema } from '../config/sections/index.js';
import { envName, flagName, leaves } from '../config/spec.js';
import { configFlagOptions } from '../config/sources.js';
import { isBatonError } from '../errors.js';
import { UsageError, type CliIo, type Command, type CommandOptions } from './command.js';
import { commands } from './registry.js';

/** The exit codes of most commands (see runCli); a command lists its own when they differ. */
export const DEFAULT_EXIT_CODES: readonly string[] = [
  '0  done',
  '1  failed: the store or service is unreachable, or refused the request',
  '2  usage: unknown command or flag, bad value, invalid configuration',
];

const COMMON: CommandOptions = {
  help: { type: 'boolean', short: 'h', help: 'Show this help' },
  json: { type: 'boolean', help: 'Machine-readable JSON output' },
};

export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'baton: leader election and work assignment for clusters of Node.js service nodes',
    '',
    'Usage: baton <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "baton <command> --help" for the options of a command.',
    '',
    'Example:',
    '  baton demo --nodes 3 --kill-leader-every 10s',
    '',
    'Exit codes (each command\'s --help lists its own):',
    ...DEFAULT_EXIT_CODES.map((e) => `  ${e}`),
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const options = { ...command.options, ...COMMON };
  const rows = Object.entries(options).map(([name, o]) => [`--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}${o.short ? `, -${o.short}` : ''}`, o.help]);
  if (command.configFlags) {
    rows.push(['--config <file>', 'YAML configuration file (env BATON_CONFIG)']);
    for (const { path, spec } of leaves(configSchema)) {
      const flag = flagName(path, spec);
      if (flag !== null) rows.push([`--${flag} <value>`, `${spec.doc} [${path}; env ${envName(path, spec) ?? '-'}; default ${JSON.stringify(spec.default)}]`]);
    }
    for (const [name, spec] of Object.entries(configSchema.fields)) {
      if (spec.kind !== 'map') continue;
      rows.push([`(file only) ${name}.<name>.*`, spec.doc]);
      for (const { path, spec: leaf } of leaves(spec.of, `${name}.<name>`)) rows.push([`  ${path}`, `${leaf.doc} [default ${JSON.stringify(leaf.default)}]`]);
    }
  }
  const width = Math.max(...rows.map((r) => (r[0] ?? '').length));
  return [
    `${command.usage}`,
    '',
    command.summary,
    '',
    'Options:',
    ...rows.map(([flag, help]) => `  ${(flag ?? '').padEnd(width)}  ${help ?? ''}`),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
    'Exit codes:',
    ...(command.exitCodes ?? DEFAULT_EXIT_CODES).map((e) => `  ${e}`),
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`baton: unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}. Run "baton --help".`);
    return 2;
  }
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    const options = {
      ...stripHelp(command.options),
      ...stripHelp(COMMON),
      ...(command.configFlags ? { ...configFlagOptions(), config: { type: 'string' as const } } : {}),
    };
    ({ values, positionals } = parseArgs({ args: [...rest], options, allowPositionals: command.positionals ?? false, strict: true }));
  } catch (error) {
    io.err(`baton ${name}: ${(error as Error).message}. Run "baton ${name} --help".`);
    return 2;
  }
  if (values.help === true) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(values, positionals, io);
  } catch (error) {
    return reportError(name, error, io);
  }
}

/** Prints a command's error in one line and picks the exit code. */
export function reportError(name: string, error: unknown, io: CliIo): number {
  if (error instanceof UsageError || isBatonError(error, 'CONFIG')) {
    io.err(`baton ${name}: ${(error as Error).message}`);
    return 2;
  }
  io.err(`baton ${name}: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

function stripHelp(options: CommandOptions): NonNullable<Parameters<typeof parseArgs>[0]>['options'] {
  return Object.fromEntries(Object.entries(options).map(([k, { help: _help, value: _value, ...rest }]) => [k, rest]));
}
