import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/command.js';
import { commands } from '../../src/cli/registry.js';
import { runCli } from '../../src/cli/run-cli.js';
import { configSchema } from '../../src/config/sections/index.js';
import { flagName, leaves } from '../../src/feature/config-spec.js';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env: {}, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

describe('baton --help', () => {
  it('lists every command', async () => {
    const io = capture();
    assert.equal(await runCli(['--help'], io), 0);
    for (const name of ['start', 'status', 'leader', 'schema', 'demo']) assert.match(io.stdout, new RegExp(`^  ${name} `, 'm'));
    for (const command of commands) {
      assert.match(io.stdout, new RegExp(`^  ${command.name} +${escape(command.summary)}$`, 'm'));
    }
    assert.match(io.stdout, /^Exit codes.*:\n {2}0 .*\n {2}1 .*\n {2}2 /m);
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

    it(`${command.name} --help explains every flag and lists the exit codes`, async () => {
      const io = capture();
      assert.equal(await runCli([command.name, '--help'], io), 0);
      const options = io.stdout.slice(io.stdout.indexOf('Options:\n'), io.stdout.indexOf('\nExamples:'));
      for (const [name, option] of Object.entries(command.options)) {
        assert.ok(option.help.length > 10, `--${name} of ${command.name} has no real explanation`);
        assert.match(options, new RegExp(`^  --${name}\\b.* {2}${escape(option.help)}$`, 'm'));
      }
      if (command.configFlags) {
        for (const { path, spec } of leaves(configSchema)) {
          const flag = flagName(path, spec);
          if (flag !== null) assert.match(options, new RegExp(`^  --${flag} (<value>|\\[true\\|false\\]) +${escape(spec.doc)} \\[${escape(path)};`, 'm'));
        }
      }
      const codes = io.stdout.slice(io.stdout.indexOf('\nExit codes:\n'));
      assert.match(codes, /^\nExit codes:\n {2}0 {2}\S/);
      assert.match(codes, /\n {2}2 {2}usage/);
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
