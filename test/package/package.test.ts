/**
 * The published package, as a user gets it: `npm pack` ships only what users need (the
 * compiled library and CLI, README, LICENSE), and a copy installed from the tarball into an
 * empty project works: the entry point, the `baton` bin, SQLite out of the box, and a clear
 * error naming the package to install for a store whose driver (an optional peer dependency)
 * is missing. Dependencies come from npm's local cache first (the registry only for what is
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

const run = promisify(execFile);
const ROOT = process.cwd();
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; license: string; files: string[] };

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
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js']) assert.ok(paths.includes(needed), needed);
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
