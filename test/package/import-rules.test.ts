/**
 * The import rules of `npm run depcheck` (.dependency-cruiser.mjs) catch what they promise: the
 * repository's own config is run over small source trees written here, one that keeps the
 * layers and one that breaks them in each way the rules name.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

const repo = process.cwd();
const depcruise = path.join(repo, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const TSCONFIG = JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] });

/** Writes `files` (path under the tree -> source) into a fresh tree with a tsconfig.json. */
function sourceTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-import-rules-'));
  writeFileSync(path.join(root, 'tsconfig.json'), TSCONFIG);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** Runs the repository's check over the tree at `root`: its exit code and report. */
async function check(root: string): Promise<{ code: number; report: string }> {
  const args = [depcruise, 'src', '--config', path.join(repo, '.dependency-cruiser.mjs'), '--output-type', 'err-long'];
  return promisify(execFile)(process.execPath, args, { cwd: root, timeout: 120_000 }).then(
    ({ stdout }) => ({ code: 0, report: stdout }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, report: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
  );
}

/** A tree shaped like src/: each module exports one constant and imports the given modules. */
function modules(imports: Record<string, readonly string[]>): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [file, targets] of Object.entries(imports)) {
    const lines = targets.map((target, i) => `import { value as v${i} } from '${path.posix.relative(path.posix.dirname(file), target).replace(/^(?!\.)/, './').replace(/\.ts$/, '.js')}';`);
    files[file] = `${lines.join('\n')}\nexport const value = ${targets.length === 0 ? '1' : targets.map((_, i) => `v${i}`).join(' + ')};\n`;
  }
  return files;
}

const DOWNWARD = {
  'src/index.ts': ['src/http/start-node.ts', 'src/testing/fake-clock.ts'],
  'src/cli/start.ts': ['src/http/start-node.ts'],
  'src/http/start-node.ts': ['src/node/baton-node.ts'],
  'src/node/baton-node.ts': ['src/config/types.ts', 'src/buckets/feature.ts', 'src/backends/open-store.ts'],
  'src/config/types.ts': ['src/buckets/feature.ts'],
  'src/buckets/feature.ts': ['src/owned-items/engine.ts', 'src/feature/feature.ts'],
  'src/owned-items/engine.ts': ['src/holding/held.ts', 'src/contract/contract.ts'],
  'src/holding/held.ts': ['src/contract/contract.ts'],
  'src/federation/client.ts': ['src/zk-client/zk-client.ts', 'src/contract/contract.ts'],
  'src/feature/feature.ts': ['src/contract/contract.ts'],
  'src/backends/open-store.ts': ['src/backends/zookeeper/backend.ts'],
  'src/backends/zookeeper/backend.ts': ['src/zk-client/zk-client.ts', 'src/contract/contract.ts'],
  'src/zk-client/zk-client.ts': ['src/errors.ts'],
  'src/contract/contract.ts': ['src/errors.ts'],
  'src/testing/fake-clock.ts': ['src/clock.ts'],
  'src/errors.ts': [],
  'src/clock.ts': [],
};

describe('npm run depcheck', () => {
  const trees: string[] = [];
  after(() => {
    for (const root of trees) rmSync(root, { recursive: true, force: true });
  });

  it('passes a tree whose imports all point down the layers', async () => {
    const root = sourceTree(modules(DOWNWARD));
    trees.push(root);
    const { code, report } = await check(root);
    assert.equal(code, 0, report);
    assert.match(report, /no dependency violations found/);
  });

  it('names each upward import, cycle and misplaced folder with its rule', async () => {
    const root = sourceTree({
      ...modules({
        ...DOWNWARD,
        'src/node/baton-node.ts': [...DOWNWARD['src/node/baton-node.ts'], 'src/http/start-node.ts'],
        'src/owned-items/engine.ts': [...DOWNWARD['src/owned-items/engine.ts'], 'src/buckets/feature.ts'],
        'src/partitions/feature.ts': ['src/buckets/feature.ts'],
        'src/election/elector.ts': ['src/backends/open-store.ts'],
        'src/contract/contract.ts': ['src/errors.ts', 'src/feature/feature.ts'],
        'src/errors.ts': ['src/clock.ts'],
        'src/clock.ts': ['src/errors.ts'],
        'src/misc/thing.ts': ['src/errors.ts'],
      }),
      // A type-only import counts as much as a value import.
      'src/config/types.ts': "import type { value } from '../cli/start.js';\nexport type Value = typeof value;\n",
    });
    trees.push(root);
    const { code, report } = await check(root);
    assert.notEqual(code, 0, report);
    const expected = [
      'layer: runtime: src/node/baton-node.ts → src/http/start-node.ts',
      'layer: runtime: src/config/types.ts → src/cli/start.ts',
      'buckets and partitions over owned-items: src/owned-items/engine.ts → src/buckets/feature.ts',
      'partitions apart from buckets: src/partitions/feature.ts → src/buckets/feature.ts',
      'layer: features: src/election/elector.ts → src/backends/open-store.ts',
      'layer: contract: src/contract/contract.ts → src/feature/feature.ts',
      'every folder in a layer: src/misc/thing.ts → src/errors.ts',
    ];
    for (const line of expected) assert.ok(report.includes(line), `the report names "${line}":\n${report}`);
    // The checker starts a cycle at either end.
    assert.match(report, /no-cycle: src\/(errors|clock)\.ts → \s+src\/(?!\1)(errors|clock)\.ts →\s+src\/\1\.ts/, report);
  });
});
