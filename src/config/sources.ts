/**
 * Reads the three configuration sources into the shape resolve.ts expects: the YAML file
 * (malformed YAML is reported with its line), `BATON_*` environment variables and flags.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from '../errors.js';
import { configSchema } from './sections/index.js';
import { envName, flagName, leaves, type LeafSpec } from '../feature/config-spec.js';
import type { TextValue } from './resolve.js';

/** The environment variable that names the config file when `--config` is not given. */
export const CONFIG_FILE_ENV = 'BATON_CONFIG';

/** Reads and parses a YAML config file. ConfigError('config', ...) when unreadable or malformed. */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message);
    throw new ConfigError('config', `cannot read config file ${path}: ${reason}`, { cause: error });
  }
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0];
      const at = where ? `line ${where.line}, column ${where.col}` : 'an unknown position';
      const problem = error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? 'invalid YAML';
      throw new ConfigError('config', `config file ${path} is not valid YAML: ${problem} (${at})`, { cause: error });
    }
    throw error;
  }
}

/** Settings from `BATON_*` environment variables, and the names of unknown `BATON_*` variables. */
export function readEnv(env: NodeJS.ProcessEnv): { values: Map<string, TextValue>; unknown: string[] } {
  const values = new Map<string, TextValue>();
  const known = new Set<string>([CONFIG_FILE_ENV]);
  for (const { path, spec } of leaves(configSchema)) {
    const name = envName(path, spec);
    if (name === null) continue;
    known.add(name);
    const text = env[name];
    if (text !== undefined) values.set(path, { text, origin: `environment variable ${name}` });
  }
  const unknown = Object.keys(env).filter((name) => name.startsWith('BATON_') && !known.has(name)).sort();
  return { values, unknown };
}

/** Whether a setting is true/false: its flag may then be given without a value (`--buckets-enabled`). */
export function isBooleanLeaf(spec: LeafSpec): boolean {
  return typeof spec.default === 'boolean';
}

/** The names (without `--`) of the config flags that take true/false. */
export function booleanConfigFlags(): Set<string> {
  const names = new Set<string>();
  for (const { path, spec } of leaves(configSchema)) {
    const name = flagName(path, spec);
    if (name !== null && isBooleanLeaf(spec)) names.add(name);
  }
  return names;
}

/** The parseArgs option table of every config flag (`--http-port`, `--election-ttl-ms`, ...). */
export function configFlagOptions(): Record<string, { type: 'string' }> {
  const options: Record<string, { type: 'string' }> = {};
  for (const { path, spec } of leaves(configSchema)) {
    const name = flagName(path, spec);
    if (name !== null) options[name] = { type: 'string' };
  }
  return options;
}

/** Settings from parsed flags (flag name -> text; other entries are ignored). */
export function readFlags(flags: Readonly<Record<string, unknown>>): Map<string, TextValue> {
  const values = new Map<string, TextValue>();
  for (const { path, spec } of leaves(configSchema)) {
    const name = flagName(path, spec);
    const text = name === null ? undefined : flags[name];
    if (typeof text === 'string') values.set(path, { text, origin: `flag --${name}` });
  }
  return values;
}
