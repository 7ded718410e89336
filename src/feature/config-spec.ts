/**
 * The vocabulary of baton's configuration schema. The schema is a tree of sections whose leaves
 * know their default, how to read a typed (YAML) value and a text (environment, flag) value,
 * and how to describe what they accept. One walk over this tree reads every source, reports
 * unknown keys and builds the README's reference, so adding a section is one local change.
 * It sits in the feature contract because each feature declares its own section with it
 * (src/buckets/buckets-config.ts); src/config/ composes the sections and reads the sources.
 */

/** A setting with a value. `parse` returns undefined when the value is not acceptable. */
export interface LeafSpec<T = unknown> {
  readonly kind: 'leaf';
  readonly doc: string;
  readonly default: T;
  /** What the leaf accepts, for messages: "a whole number from 0 to 65535". */
  readonly expects: string;
  /** Reads a value from a YAML document (already typed). */
  parse(value: unknown): T | undefined;
  /** Reads a value given as text (environment variable, command-line flag). */
  parseText(text: string): T | undefined;
  /** Environment variable name; derived from the path when omitted; false: none. */
  readonly env?: string | false;
  /** Command-line flag name (without `--`); derived from the path when omitted; false: none. */
  readonly flag?: string | false;
}

/** A group of settings (`http`, `election`, ...). */
export interface SectionSpec {
  readonly kind: 'section';
  readonly doc: string;
  readonly fields: Readonly<Record<string, Spec>>;
  /** When the YAML value is a scalar, it sets this field (`store: sqlite:x.db` = `store.url`). */
  readonly shorthand?: string;
}

/** Named groups of the same shape (`partitions.<name>.*`); set in the file only. */
export interface MapSpec {
  readonly kind: 'map';
  readonly doc: string;
  readonly of: SectionSpec;
}

export type Spec = LeafSpec | SectionSpec | MapSpec;

interface LeafOptions<T> {
  readonly doc: string;
  readonly default: T;
  readonly env?: string | false;
  readonly flag?: string | false;
}

function leaf<T>(options: LeafOptions<T>, expects: string, parse: (v: unknown) => T | undefined, parseText: (t: string) => T | undefined): LeafSpec<T> {
  return Object.freeze({ kind: 'leaf', expects, parse, parseText, ...options });
}

/** A string; `pattern` or `oneOf` narrow it. */
export function stringLeaf(options: LeafOptions<string> & { readonly oneOf?: readonly string[]; readonly pattern?: RegExp; readonly expects?: string }): LeafSpec<string> {
  const { oneOf, pattern } = options;
  const expects = options.expects ?? (oneOf ? `one of ${oneOf.join(', ')}` : 'a non-empty string');
  const ok = (v: string): string | undefined =>
    v.length > 0 && (!oneOf || oneOf.includes(v)) && (!pattern || pattern.test(v)) ? v : undefined;
  return leaf(options, expects, (v) => (typeof v === 'string' ? ok(v) : undefined), ok);
}

/** A string that may be absent (null). */
export function optionalStringLeaf(options: LeafOptions<string | null>): LeafSpec<string | null> {
  const ok = (v: string): string | undefined => (v.length > 0 ? v : undefined);
  return leaf(options, 'a non-empty string', (v) => (v === null ? null : typeof v === 'string' ? ok(v) : undefined), ok);
}

/** A whole number within [min, max]. */
export function integerLeaf(options: LeafOptions<number> & { readonly min: number; readonly max?: number }): LeafSpec<number> {
  const { min, max = Number.MAX_SAFE_INTEGER } = options;
  const expects = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
  const ok = (n: number): number | undefined => (Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined);
  return leaf(options, expects, (v) => (typeof v === 'number' ? ok(v) : undefined), (t) => (/^-?\d+$/.test(t.trim()) ? ok(Number(t)) : undefined));
}

/** true or false (text: true/false/1/0/yes/no). */
export function booleanLeaf(options: LeafOptions<boolean>): LeafSpec<boolean> {
  const words: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };
  return leaf(options, 'true or false', (v) => (typeof v === 'boolean' ? v : undefined), (t) => words[t.trim().toLowerCase()]);
}

/** A list of non-empty strings (text: comma-separated). */
export function stringListLeaf(options: LeafOptions<readonly string[]>): LeafSpec<readonly string[]> {
  const ok = (list: unknown[]): readonly string[] | undefined =>
    list.every((s) => typeof s === 'string' && s.length > 0) ? Object.freeze(list as string[]) : undefined;
  return leaf(
    options,
    'a list of non-empty strings (as text: comma-separated)',
    (v) => (Array.isArray(v) ? ok(v) : undefined),
    (t) => (t.trim() === '' ? Object.freeze([]) : ok(t.split(',').map((s) => s.trim()))),
  );
}

/** Names mapped to whole numbers within [min, max] (text: `name=1,other=2`). */
export function integerMapLeaf(options: LeafOptions<Readonly<Record<string, number>>> & { readonly min: number; readonly max: number }): LeafSpec<Readonly<Record<string, number>>> {
  const { min, max } = options;
  const name = /^[A-Za-z0-9_.-]{1,64}$/;
  const ok = (entries: [string, unknown][]): Readonly<Record<string, number>> | undefined =>
    entries.every(([k, n]) => name.test(k) && typeof n === 'number' && Number.isSafeInteger(n) && n >= min && n <= max)
      ? Object.freeze(Object.fromEntries(entries) as Record<string, number>)
      : undefined;
  const fromText = (t: string): Readonly<Record<string, number>> | undefined => {
    if (t.trim() === '') return Object.freeze({});
    const pairs = t.split(',').map((p) => p.split('='));
    if (pairs.some((p) => p.length !== 2 || !/^\d+$/.test((p[1] ?? '').trim()))) return undefined;
    return ok(pairs.map(([k, n]) => [(k ?? '').trim(), Number(n)]));
  };
  return leaf(
    options,
    `a map of names to whole numbers from ${min} to ${max} (as text: name=number,...)`,
    (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? ok(Object.entries(v)) : undefined),
    fromText,
  );
}

/** Names mapped to non-empty strings (text: `name=value,other=value`). */
export function stringMapLeaf(options: LeafOptions<Readonly<Record<string, string>>>): LeafSpec<Readonly<Record<string, string>>> {
  const name = /^[A-Za-z0-9_.-]{1,64}$/;
  const ok = (entries: [string, unknown][]): Readonly<Record<string, string>> | undefined =>
    entries.every(([k, v]) => name.test(k) && typeof v === 'string' && v.length > 0) ? Object.freeze(Object.fromEntries(entries) as Record<string, string>) : undefined;
  const fromText = (t: string): Readonly<Record<string, string>> | undefined => {
    if (t.trim() === '') return Object.freeze({});
    const pairs = t.split(',').map((p) => p.split('='));
    if (pairs.some((p) => p.length !== 2)) return undefined;
    return ok(pairs.map(([k, v]) => [(k ?? '').trim(), (v ?? '').trim()]));
  };
  return leaf(
    options,
    'a map of names to non-empty strings (as text: name=value,...)',
    (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? ok(Object.entries(v)) : undefined),
    fromText,
  );
}

/** A number > 0 (may have a fraction). */
export function positiveNumberLeaf(options: LeafOptions<number>): LeafSpec<number> {
  const ok = (n: number): number | undefined => (Number.isFinite(n) && n > 0 ? n : undefined);
  return leaf(options, 'a number greater than 0', (v) => (typeof v === 'number' ? ok(v) : undefined), (t) => (t.trim() === '' ? undefined : ok(Number(t))));
}

/** A number from 0 to 1 (a share; may have a fraction). */
export function shareLeaf(options: LeafOptions<number>): LeafSpec<number> {
  const ok = (n: number): number | undefined => (Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined);
  return leaf(options, 'a number from 0 to 1', (v) => (typeof v === 'number' ? ok(v) : undefined), (t) => (t.trim() === '' ? undefined : ok(Number(t))));
}

export function section(doc: string, fields: Record<string, Spec>, shorthand?: string): SectionSpec {
  return Object.freeze({ kind: 'section', doc, fields: Object.freeze(fields), ...(shorthand ? { shorthand } : {}) });
}

/** `BATON_` + the path in upper snake case: `election.ttlMs` -> `BATON_ELECTION_TTL_MS`. */
export function envName(path: string, spec: LeafSpec): string | null {
  if (spec.env === false) return null;
  return spec.env ?? `BATON_${path.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/\./g, '_').toUpperCase()}`;
}

/** The path in kebab case: `election.ttlMs` -> `election-ttl-ms`. */
export function flagName(path: string, spec: LeafSpec): string | null {
  if (spec.flag === false) return null;
  return spec.flag ?? path.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/\./g, '-').toLowerCase();
}

/** Every leaf of a section with its dotted path (maps are not descended: they are file-only). */
export function leaves(spec: SectionSpec, prefix = ''): { path: string; spec: LeafSpec }[] {
  const found: { path: string; spec: LeafSpec }[] = [];
  for (const [name, child] of Object.entries(spec.fields)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (child.kind === 'leaf') found.push({ path, spec: child });
    else if (child.kind === 'section') found.push(...leaves(child, path));
  }
  return found;
}
