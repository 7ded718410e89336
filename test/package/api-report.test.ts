/**
 * The package's exported surface is checked in (docs/api/exports.md): this test fails when what
 * the entry points export (names, kinds, and the package types their signatures name) differs
 * from that report, so a change to the public API is made on purpose, with the report beside it.
 * It reads the compiled declarations and modules, which `npm test` builds first.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

describe('the exported API', () => {
  it('matches docs/api/exports.md (regenerate with `npm run api-report` when the change is deliberate)', async () => {
    const result = await promisify(execFile)(process.execPath, ['scripts/api-report.mjs', '--check'], { cwd: process.cwd(), timeout: 120_000 })
      .then(() => ({ code: 0, stderr: '' }), (error: { code?: number; stderr?: string }) => ({ code: error.code ?? -1, stderr: error.stderr ?? String(error) }));
    assert.equal(result.code, 0, result.stderr);
  });
});
