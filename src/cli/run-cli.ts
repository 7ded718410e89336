/**
 * Parses `baton <command> [options]` and runs the command. Exit codes: 0 ok, 1 failure,
 * 2 unknown command or flag, bad value, invalid configuration. With `--json`, errors are one
 * JSON line on stderr too: `{"error":{"command","code","message"}}`.
 */
import { parseArgs } from 'node:util';
import { booleanConfigFlags, configFlagOptions } from '../config/sources.js';
import { UsageError, type CliIo, type CommandOptions } from './command.js';
import { COMMON_OPTIONS, commandHelp, mainHelp } from './help.js';
import { json } from './output.js';
import { commands } from './registry.js';
import { reportError } from './report-error.js';
import { packageIdentity } from './version.js';


/** The words a true/false flag accepts as its value (as booleanLeaf reads them). */
const BOOLEAN_WORD = /^(true|false|1|0|yes|no)$/i;

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const asJson = argv.includes('--json');
  if (name === '--version') {
    const { name: pkg, version } = packageIdentity();
    io.out(asJson ? json({ name: pkg, version }) : `baton ${version}`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') return help(rest.filter((a) => a !== '--json'), io, asJson);
  const command = commands.find((c) => c.name === name);
  if (command === undefined) return reportError(name, unknownCommand(name), io, asJson);
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    const options = {
      ...stripHelp(command.options),
      ...stripHelp(COMMON_OPTIONS),
      ...(command.configFlags ? { ...configFlagOptions(), config: { type: 'string' as const } } : {}),
    };
    const args = command.configFlags ? withBooleanValues(rest, booleanConfigFlags()) : [...rest];
    ({ values, positionals } = parseArgs({ args, options, allowPositionals: command.positionals ?? false, strict: true }));
  } catch (error) {
    return reportError(name, new UsageError(`${(error as Error).message}. Run "baton ${name} --help"`), io, asJson);
  }
  if (values.help === true) {
    io.out(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(values, positionals, io);
  } catch (error) {
    return reportError(name, error, io, asJson);
  }
}

/** `baton help [command]`. */
function help(topics: readonly string[], io: CliIo, asJson: boolean): number {
  const [topic, ...extra] = topics;
  if (topic === undefined) {
    io.out(mainHelp());
    return 0;
  }
  const command = commands.find((c) => c.name === topic);
  if (command === undefined || extra.length > 0) return reportError('help', command === undefined ? unknownCommand(topic) : new UsageError('give one command, for example: baton help status'), io, asJson);
  io.out(commandHelp(command));
  return 0;
}

function unknownCommand(name: string): UsageError {
  return new UsageError(`unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}. Run "baton --help"`);
}

/**
 * A true/false config flag may be given bare (`--buckets-enabled`, meaning true) or with its
 * value as the next argument (`--buckets-enabled false`); parseArgs gets `--name=value` either way.
 */
export function withBooleanValues(args: readonly string[], names: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name === undefined || !names.has(name)) {
      out.push(arg);
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && BOOLEAN_WORD.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(`--${name}=true`);
    }
  }
  return out;
}

function stripHelp(options: CommandOptions): NonNullable<Parameters<typeof parseArgs>[0]>['options'] {
  return Object.fromEntries(Object.entries(options).map(([k, { help: _help, value: _value, ...rest }]) => [k, rest]));
}
