/**
 * The published package, as a user gets it: `npm pack` ships only what users need (the
 * compiled library and CLI, README, LICENSE), and a copy installed from the tarball into an
 * empty project works: the entry point, the `baton` bin, SQLite out of the box, and a clear
 * error naming the package to install for a store whose driver (an optional peer dependency)
 * is missing; each entry point of package.json "exports" loads and exports the values
 * docs/api/exports.md lists, a TypeScript consumer type-checks against its declarations, and
 * nothing else of the package can be imported or named. Dependencies come from npm's local cache first (the registry only for what is
 * not cached); install scripts are skipped, so better-sqlite3's native binding is copied from
 * this checkout's build.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import ts from 'typescript';

const run = promisify(execFile);
const ROOT = process.cwd();
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; license: string; files: string[]; exports: Record<string, { types: string; default: string }> };

/** Import specifiers of the entry points: `baton-cluster`, `baton-cluster/testing`, ... */
const SPECIFIERS = Object.keys(manifest.exports).map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`));

/** The names docs/api/exports.md says `specifier` exports as values (what a loaded module holds). */
function reportedValues(specifier: string): string[] {
  const report = readFileSync(path.join(ROOT, 'docs', 'api', 'exports.md'), 'utf8');
  const section = report.split(/^## /m).find((part) => part.startsWith(`\`${specifier}\` (`)) ?? '';
  const values = [...section.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)]
    .filter(([, , kind]) => (kind ?? '').split(' + ').some((k) => ['class', 'function', 'const', 'let', 'enum', 'namespace'].includes(k)))
    .map(([, name]) => name ?? '');
  return values.sort();
}

/** What a tarball may hold: the compiled library (code and types), the manifest, README and LICENSE. */
const SHIPPED = /^(package\.json|README\.md|LICENSE|dist\/src\/.+\.(js|d\.ts))$/;

interface PackResult {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
  readonly entryCount: number;
}

/** Runs `args` with node (a file of the installed project or -e), resolving with code and output. */
async function node(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the npm package', () => {
  let dir: string;
  let packed: PackResult;
  let project: string;
  let bin: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'baton-pack-'));
    // --ignore-scripts: `prepare` would rebuild dist/ under the other tests; npm test built it.
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, timeout: 120_000 });
    [packed] = JSON.parse(stdout) as [PackResult];
    project = path.join(dir, 'project');
    await run('mkdir', ['-p', project]);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'pack-check', version: '1.0.0', private: true, type: 'module' }));
    await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', path.join(dir, packed.filename)], { cwd: project, timeout: 300_000 });
    const sqliteBuild = path.join(ROOT, 'node_modules', 'better-sqlite3', 'build');
    cpSync(sqliteBuild, path.join(project, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
    bin = path.join(project, 'node_modules', '.bin', 'baton');
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships only the compiled library and CLI, README, LICENSE and the manifest', () => {
    const paths = packed.files.map((f) => f.path);
    const stray = paths.filter((p) => !SHIPPED.test(p));
    assert.deepEqual(stray, [], 'files that users do not need');
    const entryFiles = Object.values(manifest.exports).flatMap((target) => [target.types, target.default]).map((file) => file.replace(/^\.\//, ''));
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/src/cli/main.js', ...entryFiles]) assert.ok(paths.includes(needed), needed);
    assert.deepEqual(paths.filter((p) => p.endsWith('.d.ts') && readFileSync(path.join(ROOT, p), 'utf8').includes('@internal')), [], 'declarations that still show @internal members');
    assert.ok(!paths.some((p) => /(^|\/)(test|bench|\.ci)\//.test(p) || p.endsWith('.map') || p.endsWith('.ts') && !p.endsWith('.d.ts')));
    assert.equal(packed.entryCount, paths.length);
  });

  it('has a LICENSE that matches its license field', () => {
    assert.equal(manifest.license, 'Apache-2.0');
    const text = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
    assert.match(text, /Apache License\s+Version 2\.0, January 2004/);
    assert.match(text, /END OF TERMS AND CONDITIONS/);
  });

  it('installed from the tarball: the entry point loads without any server driver, and SQLite works out of the box', async () => {
    for (const driver of ['pg', 'mysql2', 'node-zookeeper-client', '@grpc/grpc-js']) {
      assert.equal(existsSync(path.join(project, 'node_modules', driver)), false, `${driver} is an optional peer dependency: not installed`);
    }
    const script = `
      import { openStore, LeaderElector, startNode } from '${manifest.name}';
      const backend = await openStore('sqlite:./check.db', { cluster: 'packed' });
      await backend.kv.put('hello', { from: 'tarball' });
      const entry = await backend.kv.get('hello');
      await backend.close();
      console.log(JSON.stringify({ value: entry.value, exports: [typeof LeaderElector, typeof startNode] }));`;
    const { code, stdout, stderr } = await node(project, ['--input-type=module', '-e', script]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), { value: { from: 'tarball' }, exports: ['function', 'function'] });
  });

  it('installed from the tarball: each entry point loads without any server driver and exports the values docs/api/exports.md lists', async () => {
    assert.ok(SPECIFIERS.length >= 3, SPECIFIERS.join(', '));
    const script = `
      const names = {};
      for (const specifier of ${JSON.stringify(SPECIFIERS)}) names[specifier] = Object.keys(await import(specifier)).sort();
      console.log(JSON.stringify(names));`;
    const { code, stdout, stderr } = await node(project, ['--input-type=module', '-e', script]);
    assert.equal(code, 0, stderr);
    const loaded = JSON.parse(stdout) as Record<string, string[]>;
    for (const specifier of SPECIFIERS) assert.deepEqual(loaded[specifier], reportedValues(specifier), specifier);
  });

  it('installed from the tarball: a module inside the package cannot be imported past its entry points', async () => {
    const script = `import('${manifest.name}/dist/src/buckets/bucket-owner.js').then(() => console.log('loaded'), (error) => console.log(error.code));`;
    const { code, stdout, stderr } = await node(project, ['--input-type=module', '-e', script]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('installed from the tarball: TypeScript finds each entry point\'s types, and neither internal names nor @internal members', () => {
    const write = (name: string, code: string): string => {
      const file = path.join(project, name);
      writeFileSync(file, code);
      return file;
    };
    // Declarations are checked too (no skipLibCheck): one that names a stripped @internal member
    // would fail here. Only problems in the package's own files and the consumer's count.
    const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] };
    const ours = (file: string): boolean => !file.includes(`${path.sep}node_modules${path.sep}`) || file.includes(`${path.sep}node_modules${path.sep}${manifest.name}${path.sep}`);
    const uses = write('uses.ts', `
      import { LeaderElector, openStore, partitionOf, type Held, type PartitionLeadership, type Session } from '${manifest.name}';
      import { FakeClock, MemoryStore } from '${manifest.name}/testing';
      import { FederatedZkClient, type ZkStat } from '${manifest.name}/federation';
      export const names: string[] = [LeaderElector.name, FakeClock.name, MemoryStore.name, FederatedZkClient.name, typeof openStore];
      export const partition: number = partitionOf('t', 4);
      export type Used = [Held, PartitionLeadership, Session, ZkStat];
    `);
    const internal = write('internal.ts', `
      import { BucketOwner } from '${manifest.name}';
      import type { PartitionLeadership } from '${manifest.name}';
      export const owner = BucketOwner;
      export const update = (leadership: PartitionLeadership) => leadership.clearView();
    `);
    // One program for both consumers, and diagnostics asked only of the files that count: the
    // ones getPreEmitDiagnostics would report for them, without also checking every declaration
    // file of @types/node (which took most of the 18 s this test took with a program each).
    const program = ts.createProgram([uses, internal], options);
    const checked = program.getSourceFiles().filter((file) => ours(file.fileName));
    const problems = ts.sortAndDeduplicateDiagnostics([
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...checked.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
    ]).map((d) => `${d.file ? path.relative(project, d.file.fileName) : ''} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    const inInternal = (problem: string): boolean => problem.startsWith('internal.ts ');
    assert.deepEqual(problems.filter((p) => !inInternal(p)), []);
    const refused = problems.filter(inInternal);
    assert.equal(refused.length, 2, refused.join('\n'));
    assert.match(refused[0] ?? '', /^internal\.ts TS2305: .*BucketOwner/);
    assert.match(refused[1] ?? '', /TS2339: .*clearView/);
  });

  it('installed from the tarball: the baton bin runs (--version, help, a reader on SQLite)', async () => {
    const version = await node(project, [bin, '--version']);
    assert.deepEqual({ code: version.code, stdout: version.stdout }, { code: 0, stdout: `baton ${manifest.version}\n` });
    assert.equal((await node(project, [bin, 'help', 'status'])).code, 0);
    const status = await node(project, [bin, 'status', '--store', 'sqlite:./check.db', '--cluster', 'packed', '--json']);
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { cluster: string }).cluster, 'packed');
  });

  it('installed from the tarball: a store whose driver is missing says which package to install', async () => {
    const stores = [
      ['postgres://postgres@127.0.0.1:5432/test', 'pg'],
      ['mysql://root@127.0.0.1:3306/test', 'mysql2'],
      ['zookeeper://127.0.0.1:2181/baton', 'node-zookeeper-client'],
      ['etcd://127.0.0.1:2379', '@grpc/grpc-js'],
    ] as const;
    for (const [url, pkg] of stores) {
      const { code, stderr } = await node(project, [bin, 'status', '--store', url, '--json']);
      assert.equal(code, 1, `${url}: ${stderr}`);
      const { error } = JSON.parse(stderr) as { error: { code: string; message: string } };
      assert.equal(error.code, 'MISSING_PACKAGE', url);
      assert.ok(error.message.includes(`npm install ${pkg}`), error.message);
    }
  });
});
