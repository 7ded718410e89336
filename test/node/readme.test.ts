import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { configSchema } from '../../src/config/sections/index.js';
import { envName, flagName, leaves } from '../../src/feature/config-spec.js';
import { commands } from '../../src/cli/registry.js';
import { loadConfig, startNode, type BatonNode } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Compiler options of a consumer of the package (ESM, NodeNext, strict). */
const CONSUMER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: ['node'],
};

describe('README stays true to the code', () => {
  // Inside the package, so `from 'baton-cluster'` resolves to the package entry by self-reference,
  // exactly as an installed package would (dist/src/index.js and its .d.ts). .test-tmp/ is
  // ignored by git and eslint.
  mkdirSync(join(ROOT, '.test-tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.test-tmp', 'readme-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const examples = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const files = examples.map((code, i) => {
    const file = join(dir, `example-${i + 1}.ts`);
    writeFileSync(file, code);
    return file;
  });

  it('has library examples for the node, the elector, buckets, partitions, federation and tests', () => {
    assert.ok(examples.length >= 6);
    for (const name of ['startNode', 'LeaderElector', 'node.buckets', 'node.partitions(', 'LeaderLocator', 'FederatedZkClient', 'MemoryStore']) {
      assert.ok(examples.some((code) => code.includes(name)), `no example uses ${name}`);
    }
  });

  it('library examples type-check against the package entry', () => {
    const program = ts.createProgram(files, CONSUMER_OPTIONS);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    assert.deepEqual(problems, []);
  });

  examples.forEach((code, i) => {
    it(`library example ${i + 1} runs`, async () => {
      const file = join(dir, `example-${i + 1}.mjs`);
      writeFileSync(file, ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
      const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir, timeout: 30_000 });
      assert.ok(stdout.length > 0);
    });
  });

  it('documents every configuration key with its environment variable and flag', () => {
    for (const { path, spec } of leaves(configSchema)) {
      assert.ok(README.includes(`\`${path}\``), `README lacks key ${path}`);
      assert.ok(README.includes(`\`${envName(path, spec)}\``), `README lacks ${envName(path, spec)}`);
      assert.ok(README.includes(`\`--${flagName(path, spec)}\``), `README lacks --${flagName(path, spec)}`);
    }
    for (const [name, spec] of Object.entries(configSchema.fields)) {
      if (spec.kind !== 'map') continue;
      for (const field of Object.keys(spec.of.fields)) assert.ok(README.includes(`\`${name}.<name>.${field}\``), `README lacks ${name}.<name>.${field}`);
    }
  });

  it('documents every registered command', () => {
    for (const { name } of commands) assert.match(README, new RegExp(`^\\| \`baton ${name}[ \`]`, 'm'), `README's CLI table lacks baton ${name}`);
  });

  describe('HTTP routes', () => {
    let node: BatonNode;
    before(async () => {
      const { config } = loadConfig({
        env: {},
        values: { store: 'none', http: { port: 0 }, log: { level: 'silent' }, buckets: { enabled: true }, partitions: { leadControllerResource: {} } },
      });
      node = await startNode(config);
    });
    after(() => node?.close());

    it('documents every route of a node with every feature on', async () => {
      const doc = (await (await fetch(`${node.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const paths = Object.keys(doc.paths);
      assert.ok(paths.includes('/leader/tables/{table}'), 'the node serves the partition routes');
      for (const path of paths) {
        for (const method of Object.keys(doc.paths[path] ?? {})) {
          const verb = method.toUpperCase();
          assert.match(README, new RegExp(`${verb} ${escape(path)}[\\[\`,]`), `README lacks ${verb} ${path}`);
        }
      }
    });
  });

  it('documents every route of the directory service', () => {
    const source = readFileSync(join(ROOT, 'src/directory/directory-routes.ts'), 'utf8');
    const routes = [...source.matchAll(/app\.(get|put|delete|post)\(`?'?([^`',]+)/g)].map((m) => ({ method: (m[1] ?? '').toUpperCase(), path: (m[2] ?? '').replace('${base}', '...').replace('${DIRECTORY_URL_PREFIX}', '/admin/v2').replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{key}') }));
    assert.ok(routes.length >= 10, `found ${routes.length} directory routes`);
    for (const { method, path } of routes) {
      const row = README.split('\n').find((line) => line.startsWith('| ') && line.includes(method) && line.includes(path));
      assert.ok(row, `README lacks ${method} ${path}`);
    }
  });

  it('points at the benchmarks with figures copied from docs/benchmarks.md', () => {
    const bench = readFileSync(join(ROOT, 'docs/benchmarks.md'), 'utf8');
    const section = README.slice(README.indexOf('## Benchmarks'), README.indexOf('## Safety model'));
    assert.ok(section.includes('docs/benchmarks.md'));
    const figures = [...section.matchAll(/\d[\d.]*(?= (?:ms|M calls\/s|ns))|0\.\d+/g)].map((m) => m[0]);
    assert.ok(figures.length >= 8, `found ${figures.length} figures`);
    for (const figure of figures) assert.ok(bench.includes(figure), `${figure} is not in docs/benchmarks.md`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
