import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, runCli, stopAllProcesses } from './cli-process.js';

describe('baton start with bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bad-'));
  const store = `sqlite:${join(dir, 'baton.db')}`;
  after(async () => {
    await stopAllProcesses();
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('malformed YAML: exit 2 and the line of the problem', async () => {
    const path = file('broken.yaml', 'cluster: shop\nhttp:\n  port: [7400\nlog:\n  level: info\n');
    const { code, stderr } = await runCli(['start', '--config', path]);
    assert.equal(code, 2);
    assert.match(stderr, /not valid YAML/);
    assert.match(stderr, /line \d+/);
    assert.ok(stderr.includes(path));
  });

  it('a wrong type in the file: exit 2 naming the key, the value and what is allowed', async () => {
    const path = file('wrong-type.yaml', 'http:\n  port: "seventy"\n');
    const { code, stderr } = await runCli(['start', '--config', path, '--store', store]);
    assert.equal(code, 2);
    assert.match(stderr, /http\.port: must be a whole number from 0 to 65535, got "seventy"/);
  });

  it('an unknown key: exit 2 naming it', async () => {
    const path = file('unknown.yaml', 'cluster: shop\nelection:\n  ttl: 5000\n');
    const { code, stderr } = await runCli(['start', '--config', path]);
    assert.equal(code, 2);
    assert.match(stderr, /unknown key election\.ttl/);
  });

  it('a bad environment variable: exit 2 naming the variable', async () => {
    const { code, stderr } = await runCli(['start', '--store', store], { BATON_ELECTION_TTL_MS: 'soon' });
    assert.equal(code, 2);
    assert.match(stderr, /election\.ttlMs: .*"soon" \(from environment variable BATON_ELECTION_TTL_MS\)/);
  });

  it('inconsistent timing: exit 2 explaining the rule', async () => {
    const { code, stderr } = await runCli(['start', '--store', store, '--election-ttl-ms', '1000', '--election-renew-deadline-ms', '2000']);
    assert.equal(code, 2);
    assert.match(stderr, /election\.renewDeadlineMs: must be less than election\.ttlMs/);
  });

  it('an unreachable store: bounded retries, then exit 1 with a clear message', async () => {
    const port = await freePort();
    const { code, stderr } = await runCli(['start', '--store', `postgres://postgres@127.0.0.1:${port}/nowhere`, '--store-connect-attempts', '2', '--store-connect-backoff-ms', '50', '--http-port', '0']);
    assert.equal(code, 1);
    assert.match(stderr, /cannot reach the store .* after 2 attempts/);
    assert.ok(stderr.includes(String(port)));
  });

  it('a port in use: exit 1 (as start --help says) naming the port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runCli(['start', '--store', store, '--node-id', 'busy', '--http-port', String(port)]);
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`http\\.port: port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('status on a SQLite file that does not exist: exit 1 "no baton data here", and no file is created', async () => {
    const missing = join(dir, 'typo.db');
    const { code, stderr } = await runCli(['status', '--store', `sqlite:${missing}`]);
    assert.equal(code, 1);
    assert.ok(stderr.includes(`no baton data here: no SQLite file at ${missing}`));
    assert.equal(existsSync(missing), false);
  });

  it('an unknown command or flag: exit 2', async () => {
    const command = await runCli(['strat']);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "strat"/);
    const flag = await runCli(['status', '--colour']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--colour/);
  });
});
