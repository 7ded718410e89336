/**
 * Resolves the schema against the sources, highest precedence first: flags, then environment,
 * then the file, then defaults. Values are checked as they are read, so a bad value is reported
 * with the key, the value, where it came from and what is allowed.
 */
import { ConfigError } from '../errors.js';
import type { LeafSpec, MapSpec, SectionSpec } from '../feature/config-spec.js';

/** A value given as text, with where it came from (`--http-port`, `BATON_HTTP_PORT`). */
export interface TextValue {
  readonly text: string;
  readonly origin: string;
}

export interface ConfigSources {
  /** Dotted path -> text value, from command-line flags. */
  readonly flags: ReadonlyMap<string, TextValue>;
  /** Dotted path -> text value, from environment variables. */
  readonly env: ReadonlyMap<string, TextValue>;
  /** The parsed file, or undefined when there is none. */
  readonly file?: { readonly tree: unknown; readonly origin: string };
}

export type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

function resolveLeaf(path: string, spec: LeafSpec, sources: ConfigSources, fileValue: unknown): unknown {
  for (const text of [sources.flags.get(path), sources.env.get(path)]) {
    if (text === undefined) continue;
    const value = spec.parseText(text.text);
    if (value === undefined) {
      throw new ConfigError(path, `must be ${spec.expects}, got ${show(text.text)} (from ${text.origin})`);
    }
    return value;
  }
  if (fileValue === undefined) return spec.default;
  const value = spec.parse(fileValue);
  if (value === undefined) {
    throw new ConfigError(path, `must be ${spec.expects}, got ${show(fileValue)} (from ${sources.file?.origin ?? 'the file'})`);
  }
  return value;
}

function resolveMap(path: string, spec: MapSpec, sources: ConfigSources, fileValue: unknown): unknown {
  if (fileValue === undefined || fileValue === null) return Object.freeze({});
  if (!isTree(fileValue)) {
    throw new ConfigError(path, `must be a mapping of names to sections, got ${show(fileValue)} (from ${sources.file?.origin ?? 'the file'})`);
  }
  const fileOnly: ConfigSources = { flags: new Map(), env: new Map(), ...(sources.file ? { file: sources.file } : {}) };
  const entries = Object.entries(fileValue).map(([name, value]) => [name, resolveSection(`${path}.${name}`, spec.of, fileOnly, value)]);
  return Object.freeze(Object.fromEntries(entries));
}

/** Resolves one section; `fileValue` is the file's subtree at `path` (or undefined). */
export function resolveSection(path: string, spec: SectionSpec, sources: ConfigSources, fileValue: unknown): Tree {
  let tree: Tree = {};
  if (fileValue !== undefined && fileValue !== null) {
    if (isTree(fileValue)) tree = fileValue;
    else if (spec.shorthand !== undefined) tree = { [spec.shorthand]: fileValue };
    else throw new ConfigError(path || '(root)', `must be a mapping of keys to values, got ${show(fileValue)} (from ${sources.file?.origin ?? 'the file'})`);
  }
  const result: Tree = {};
  for (const [name, child] of Object.entries(spec.fields)) {
    const childPath = path ? `${path}.${name}` : name;
    if (child.kind === 'leaf') result[name] = resolveLeaf(childPath, child, sources, tree[name]);
    else if (child.kind === 'section') result[name] = resolveSection(childPath, child, sources, tree[name]);
    else result[name] = resolveMap(childPath, child, sources, tree[name]);
  }
  return Object.freeze(result);
}

/** Every key of the file that the schema does not know, as dotted paths. */
export function unknownKeys(spec: SectionSpec, fileValue: unknown, path = ''): string[] {
  if (!isTree(fileValue)) return [];
  const found: string[] = [];
  for (const [name, value] of Object.entries(fileValue)) {
    const childPath = path ? `${path}.${name}` : name;
    const child = spec.fields[name];
    if (child === undefined) found.push(childPath);
    else if (child.kind === 'section') found.push(...unknownKeys(child, value, childPath));
    else if (child.kind === 'map' && isTree(value)) {
      for (const [entry, sub] of Object.entries(value)) found.push(...unknownKeys(child.of, sub, `${childPath}.${entry}`));
    }
  }
  return found;
}
