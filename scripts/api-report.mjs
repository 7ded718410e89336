#!/usr/bin/env node
// The package's exported surface, checked in beside the code (docs/api/exports.md), so that a
// change to it is a decision and not an accident.
//
// For every entry point in package.json "exports" (its "types" file and its "default" file under
// dist/, so run `tsc` first) it lists each exported name with its kind, read from the compiled
// declarations a user's compiler sees; a class or constant that a user can only name as a type
// (exported with `export type`, absent when the module is loaded) is marked "type only".
//
//   node scripts/api-report.mjs           writes docs/api/exports.md (`npm run api-report` builds first)
//   node scripts/api-report.mjs --check   exits 1 and names what differs when the file is stale
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = process.cwd();
const REPORT = 'docs/api/exports.md';
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Each entry point: its import specifier, compiled declaration file and compiled module. */
function entryPoints() {
  return Object.entries(manifest.exports).map(([subpath, target]) => {
    const runtime = typeof target === 'string' ? target : target.default ?? target.import;
    const types = typeof target === 'string' ? runtime.replace(/\.js$/, '.d.ts') : target.types;
    const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    return { specifier, types: resolve(ROOT, types), runtime: resolve(ROOT, runtime) };
  });
}

/** The kind of one declaration as a user sees it, or undefined for kinds that add nothing. */
function kindOf(declaration) {
  if (ts.isClassDeclaration(declaration)) return 'class';
  if (ts.isFunctionDeclaration(declaration)) return 'function';
  if (ts.isVariableDeclaration(declaration)) return ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const ? 'const' : 'let';
  if (ts.isInterfaceDeclaration(declaration)) return 'interface';
  if (ts.isTypeAliasDeclaration(declaration)) return 'type';
  if (ts.isEnumDeclaration(declaration)) return 'enum';
  if (ts.isModuleDeclaration(declaration)) return 'namespace';
  return undefined;
}

const VALUE_KINDS = new Set(['class', 'function', 'const', 'let', 'enum', 'namespace']);

/** Lists `{ name, kind }` for every export of each entry point, sorted by name. */
export async function readSurface() {
  const entries = entryPoints();
  const program = ts.createProgram(entries.map((e) => e.types), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const surface = [];
  for (const entry of entries) {
    const source = program.getSourceFile(entry.types);
    if (!source) throw new Error(`${entry.types} is missing: run "npx tsc -p tsconfig.json" first`);
    const loaded = await import(pathToFileURL(entry.runtime).href);
    const names = [];
    for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(source))) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const kinds = [...new Set((target.declarations ?? []).map(kindOf).filter(Boolean))];
      const name = exported.getName();
      const atRuntime = Object.hasOwn(loaded, name);
      const label = kinds.map((kind) => (VALUE_KINDS.has(kind) && !atRuntime ? `${kind} (type only)` : kind)).join(' + ');
      names.push({ name, kind: label || 'unknown' });
    }
    const missing = Object.keys(loaded).filter((name) => !names.some((n) => n.name === name));
    if (missing.length > 0) throw new Error(`${entry.specifier}: loaded module has names its declarations lack: ${missing.join(', ')}`);
    names.sort(byName);
    surface.push({ specifier: entry.specifier, names, symbols: checker.getExportsOfModule(checker.getSymbolAtLocation(source)) });
  }
  const unexported = namedButNotExported(checker, surface.flatMap((entry) => entry.symbols));
  return { entries: surface.map(({ specifier, names }) => ({ specifier, names })), unexported };
}

function byName(a, b) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The package's own declarations that an exported declaration names (in a signature, a member's
 * type, a base class) but that no entry point exports: a user meets them and cannot name them.
 * Foreign types (node, pino, ...) are left out; so is what only such a declaration names.
 */
function namedButNotExported(checker, exportedSymbols) {
  const resolveAlias = (symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  const exported = new Set(exportedSymbols.map(resolveAlias));
  const ours = (declaration) => resolve(declaration.getSourceFile().fileName).startsWith(resolve(ROOT, 'dist/src') + '/');
  const found = new Map();
  const seen = new Set();
  let via = '';
  const visit = (node) => {
    const name = ts.isTypeReferenceNode(node) ? node.typeName : ts.isExpressionWithTypeArguments(node) ? node.expression : ts.isTypeQueryNode(node) ? node.exprName : undefined;
    const symbol = name && checker.getSymbolAtLocation(name);
    if (symbol) walk(resolveAlias(symbol));
    ts.forEachChild(node, visit);
  };
  const walk = (symbol) => {
    if (seen.has(symbol)) return;
    seen.add(symbol);
    const declarations = (symbol.declarations ?? []).filter(ours);
    if (declarations.length === 0) return;
    if (symbol.flags & ts.SymbolFlags.TypeParameter) return;
    if (!exported.has(symbol)) {
      const file = relative(ROOT, declarations[0].getSourceFile().fileName).replace(/^dist\//, '').replace(/\.d\.ts$/, '.ts');
      found.set(`${symbol.getName()} ${file}`, { name: symbol.getName(), kind: declarations.map(kindOf).filter(Boolean).join(' + ') || 'unknown', file, via });
    }
    else {
      const outer = via;
      via = symbol.getName();
      for (const declaration of declarations) ts.forEachChild(declaration, visit);
      via = outer;
    }
  };
  for (const symbol of [...exported].sort(byName)) walk(symbol);
  return [...found.values()].sort(byName);
}

/** The report's text: one section per entry point, one table row per exported name. */
export function renderReport({ entries, unexported }) {
  const lines = [
    '# Exported API',
    '',
    'What each entry point of the package exports. Generated by `npm run api-report` from',
    'package.json "exports" and the compiled declarations; `test/package/api-report.test.ts`',
    'fails when the code exports anything else, so a change to this list is a deliberate one:',
    'change the entry file (src/index.ts, src/entry-points/*.ts), run `npm run api-report` and',
    'commit both. "type only" marks a class or value that users can name as a type but not',
    'import as a value.',
  ];
  for (const { specifier, names } of entries) {
    lines.push('', `## \`${specifier}\` (${names.length} names)`, '', '| name | kind |', '|---|---|');
    for (const { name, kind } of names) lines.push(`| \`${name}\` | ${kind} |`);
  }
  lines.push('', `## Named by the exports, not exported (${unexported.length})`, '',
    'Declarations of the package that an exported declaration names (in a signature, a member or',
    'a base type) but that no entry point exports: users meet them and cannot import them by name.',
    ...(unexported.length === 0 ? ['', 'None.'] : ['', '| name | kind | declared in | named by |', '|---|---|---|---|', ...unexported.map((u) => `| \`${u.name}\` | ${u.kind} | ${u.file} | \`${u.via}\` |`)]));
  return `${lines.join('\n')}\n`;
}

/** Rows of a report's text as "specifier name kind" lines, to say what differs. */
function rowsOf(text) {
  const rows = [];
  let specifier = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('## ')) specifier = line.slice(3).replace(/ \(\d+( names)?\)$/, '').replaceAll('`', '');
    const row = /^\| `([^`]+)` \| (.+) \|$/.exec(line);
    if (row) rows.push(`${specifier}: ${row[1]} (${row[2]})`);
  }
  return rows;
}

async function main() {
  const text = renderReport(await readSurface());
  const path = join(ROOT, REPORT);
  if (!process.argv.includes('--check')) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${REPORT}`);
    return;
  }
  let stored = '';
  try {
    stored = readFileSync(path, 'utf8');
  } catch {
    // A missing report differs from every export.
  }
  if (stored === text) return;
  const actual = rowsOf(text);
  const expected = rowsOf(stored);
  const added = actual.filter((row) => !expected.includes(row));
  const removed = expected.filter((row) => !actual.includes(row));
  console.error([
    `The package's exports differ from ${REPORT}.`,
    ...added.map((row) => `  + ${row}`),
    ...removed.map((row) => `  - ${row}`),
    ...(added.length + removed.length === 0 ? ['  (same names, different text: the report is out of date)'] : []),
    'If the change is deliberate, run `npm run api-report` and commit the report with it;',
    'otherwise change src/index.ts or src/entry-points/*.ts back.',
  ].join('\n'));
  process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
