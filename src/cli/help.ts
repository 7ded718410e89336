/**
 * The text of `baton --help` and `baton <command> --help`. A command that reads the store lists
 * the settings it uses (store, cluster, output) first; the node's other settings follow under
 * their own heading, accepted so that one config file and one environment serve both.
 */
import { configSchema } from '../config/sections/index.js';
import { envName, flagName, leaves } from '../feature/config-spec.js';
import { isBooleanLeaf } from '../config/sources.js';
import type { Command, CommandOptions } from './command.js';
import { commands } from './registry.js';
import { packageIdentity } from './version.js';

/** The exit codes of most commands (see runCli); a command lists its own when they differ. */
export const DEFAULT_EXIT_CODES: readonly string[] = [
  '0  done',
  '1  failed: the store or service is unreachable or refused the request, or a named cluster, resource or key does not exist',
  '2  usage: unknown command or flag, bad value, invalid configuration',
];

/** Options every command takes. */
export const COMMON_OPTIONS: CommandOptions = {
  json: { type: 'boolean', help: 'Machine-readable output: one JSON document per line (errors too, on stderr: {"error":{"command","code","message"}})' },
  help: { type: 'boolean', short: 'h', help: 'Show this help' },
};

export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const { name, version } = packageIdentity();
  return [
    'baton: leader election and work assignment for clusters of Node.js service nodes',
    `(npm package ${name} ${version}; the server drivers are optional: npm install pg | mysql2 | node-zookeeper-client | @grpc/grpc-js protobufjs)`,
    '',
    'Usage: baton <command> [options]',
    '       baton help <command>    baton --version',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "baton <command> --help" (or "baton help <command>") for the options of a command.',
    '',
    'Example:',
    '  baton demo --nodes 3 --kill-leader-every 10s',
    '',
    'Exit codes (each command\'s --help lists its own):',
    ...DEFAULT_EXIT_CODES.map((e) => `  ${e}`),
  ].join('\n');
}

type Row = readonly [string, string];

function optionRows(options: CommandOptions): Row[] {
  return Object.entries(options).map(([name, o]) => [`--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}${o.short ? `, -${o.short}` : ''}`, o.help]);
}

/** One row per config flag, split into those `command` uses and the others. */
function configRows(command: Command): { used: Row[]; others: Row[] } {
  const used: Row[] = [['--config <file>', 'YAML configuration file (env BATON_CONFIG)']];
  const others: Row[] = [];
  const uses = (path: string) => command.usesConfig === undefined || command.usesConfig.some((p) => path === p || path.startsWith(`${p}.`));
  for (const { path, spec } of leaves(configSchema)) {
    const flag = flagName(path, spec);
    if (flag === null) continue;
    const row: Row = [`--${flag} ${isBooleanLeaf(spec) ? '[true|false]' : '<value>'}`, `${spec.doc} [${path}; env ${envName(path, spec) ?? '-'}; default ${JSON.stringify(spec.default)}]`];
    (uses(path) ? used : others).push(row);
  }
  for (const [name, spec] of Object.entries(configSchema.fields)) {
    if (spec.kind !== 'map') continue;
    const rows: Row[] = [[`(file only) ${name}.<name>.*`, spec.doc]];
    for (const { path, spec: leaf } of leaves(spec.of, `${name}.<name>`)) rows.push([`  ${path}`, `${leaf.doc} [default ${JSON.stringify(leaf.default)}]`]);
    (uses(name) ? used : others).push(...rows);
  }
  return { used, others };
}

export function commandHelp(command: Command): string {
  const own = optionRows({ ...command.options, ...COMMON_OPTIONS });
  const { used, others } = command.configFlags ? configRows(command) : { used: [], others: [] };
  const rows = [...own, ...used, ...others];
  const width = Math.max(...rows.map((r) => r[0].length));
  const format = (list: readonly Row[]) => list.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`);
  return [
    command.usage,
    '',
    command.summary,
    '',
    'Options:',
    ...format([...own, ...used]),
    ...(others.length === 0
      ? []
      : ['', 'Node options (accepted so that one config file and one environment serve the nodes and this command; not used here):', ...format(others)]),
    '',
    'Examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
    'Exit codes:',
    ...(command.exitCodes ?? DEFAULT_EXIT_CODES).map((e) => `  ${e}`),
  ].join('\n');
}
