import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { coreFields } from '../../src/config/sections/core.js';
import { envName, leaves, section } from '../../src/config/spec.js';
import { commands } from '../../src/cli/registry.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const INDEX = pathToFileURL(join(ROOT, 'dist/src/index.js')).href;

describe('README stays true to the code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-readme-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const examples = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

  it('has library examples', () => {
    assert.ok(examples.length >= 2);
  });

  examples.forEach((code, i) => {
    it(`library example ${i + 1} runs`, async () => {
      const file = join(dir, `example-${i + 1}.mjs`);
      writeFileSync(file, code.replaceAll("from 'baton'", `from '${INDEX}'`));
      const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir, timeout: 30_000 });
      assert.ok(stdout.length > 0);
    });
  });

  it('documents every node configuration key with its environment variable', () => {
    for (const { path, spec } of leaves(section('core', coreFields))) {
      assert.ok(README.includes(`\`${path}\``), `README lacks key ${path}`);
      assert.ok(README.includes(`\`${envName(path, spec)}\``), `README lacks ${envName(path, spec)}`);
    }
  });

  it('documents the node commands', () => {
    for (const name of ['start', 'status', 'leader', 'schema', 'demo']) {
      assert.ok(commands.some((c) => c.name === name));
      assert.ok(README.includes(`baton ${name}`), `README lacks baton ${name}`);
    }
  });
});
