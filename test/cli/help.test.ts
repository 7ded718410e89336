import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/command.js';
import { commands } from '../../src/cli/registry.js';
import { runCli } from '../../src/cli/run-cli.js';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env: {}, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

describe('baton --help', () => {
  it('lists every command', async () => {
    const io = capture();
    assert.equal(await runCli(['--help'], io), 0);
    for (const name of ['start', 'status', 'leader', 'schema', 'demo']) assert.match(io.stdout, new RegExp(`^  ${name} `, 'm'));
    for (const command of commands) assert.ok(io.stdout.includes(command.summary));
  });

  it('without a command prints the help and exits 2', async () => {
    const io = capture();
    assert.equal(await runCli([], io), 2);
    assert.match(io.stderr, /Usage: baton <command>/);
  });

  for (const command of commands) {
    it(`${command.name} --help exits 0 with an example and --json`, async () => {
      const io = capture();
      assert.equal(await runCli([command.name, '--help'], io), 0);
      assert.match(io.stdout, /Examples:\n {2}baton /);
      assert.match(io.stdout, /--json/);
      assert.ok(io.stdout.startsWith(command.usage));
    });
  }

  it('schema --dialect prints DDL, and rejects an unknown dialect with exit 2', async () => {
    const io = capture();
    assert.equal(await runCli(['schema', '--dialect', 'postgres'], io), 0);
    assert.match(io.stdout, /CREATE TABLE IF NOT EXISTS "baton_lease"/);
    const bad = capture();
    assert.equal(await runCli(['schema', '--dialect', 'oracle'], bad), 2);
    assert.match(bad.stderr, /--dialect must be one of sqlite, postgres, mysql, got "oracle"/);
  });
});
