/** `baton routing ...` against a directory app on a loopback port (memory store). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo } from '../support/capture-io.js';
import { buildDirectoryApp } from '../../src/directory/directory-app.js';
import { MemoryDirectoryStore } from '../../src/directory/directory-store.js';


describe('baton routing CLI', () => {
  let app: FastifyInstance;
  let url: string;
  let dir: string;
  before(async () => {
    app = buildDirectoryApp({ store: new MemoryDirectoryStore(['default', 'prod', 'fresh']), token: 'cli-token' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
    dir = mkdtempSync(join(os.tmpdir(), 'baton-routing-cli-'));
  });
  after(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('put, add-key, get and resolve through a directory', async () => {
    const file = join(dir, 'routing.json');
    writeFileSync(file, JSON.stringify({ 'zk-a:2181': ['/orders'], 'zk-b:2181': ['/users'] }));
    const io = captureIo({ BATON_DIRECTORY_TOKEN: 'cli-token' });
    assert.equal(await runCli(['routing', 'put', '--file', file, '--directory', url, '--namespace', 'prod'], io), 0, io.stderr.join('\n'));
    assert.equal(await runCli(['routing', 'add-key', 'zk-b:2181', '/stock/eu', '--directory', url, '--namespace', 'prod'], io), 0, io.stderr.join('\n'));
    const got = captureIo();
    assert.equal(await runCli(['routing', 'get', '--directory', url, '--namespace', 'prod', '--json'], got), 0);
    assert.deepEqual(JSON.parse(got.stdout.join('')), {
      routingData: [
        { realm: 'zk-a:2181', shardingKeys: ['/orders'] },
        { realm: 'zk-b:2181', shardingKeys: ['/stock/eu', '/users'] },
      ],
    });
    const resolved = captureIo();
    assert.equal(await runCli(['routing', 'resolve', '/stock/eu/7', '--directory', url, '--namespace', 'prod', '--json'], resolved), 0);
    assert.deepEqual(JSON.parse(resolved.stdout.join('')), { path: '/stock/eu/7', realm: 'zk-b:2181', shardingKey: '/stock/eu' });
    const human = captureIo();
    assert.equal(await runCli(['routing', 'get', '--directory', url, '--namespace', 'prod'], human), 0);
    assert.match(human.stdout.join('\n'), /\/stock\/eu\s+zk-b:2181/);
    assert.equal(await runCli(['routing', 'remove-key', 'zk-b:2181', '/stock/eu', '--directory', url, '--namespace', 'prod'], io), 0);
  });

  it('resolve from a routing file; a path under no key fails naming the path', async () => {
    const file = join(dir, 'local.json');
    writeFileSync(file, JSON.stringify({ 'zk-a:2181': ['/a'] }));
    const ok = captureIo();
    assert.equal(await runCli(['routing', 'resolve', '/a/b', '--routing-file', file], ok), 0);
    assert.equal(ok.stdout.join(''), '/a/b  realm zk-a:2181  key /a');
    const miss = captureIo();
    assert.equal(await runCli(['routing', 'resolve', '/zzz', '--routing-file', file], miss), 1);
    assert.match(miss.stderr.join(''), /"\/zzz"/);
  });

  it('get on a fresh namespace is an empty answer (exit 0), not a 404', async () => {
    const human = captureIo();
    assert.equal(await runCli(['routing', 'get', '--directory', url, '--namespace', 'fresh'], human), 0, human.stderr.join('\n'));
    assert.match(human.stdout.join('\n'), /no sharding keys/);
    const asJson = captureIo();
    assert.equal(await runCli(['routing', 'get', '--directory', url, '--namespace', 'fresh', '--json'], asJson), 0);
    assert.deepEqual(JSON.parse(asJson.stdout.join('')), { routingData: [] });
  });

  it('an unreachable directory is a clear error naming the URL and the reason, not "fetch failed"', async () => {
    const closed = await import('node:net').then(({ createServer }) => new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    }));
    for (const args of [['routing', 'get'], ['routing', 'add-key', 'zk-a:2181', '/x']]) {
      const io = captureIo({ BATON_DIRECTORY_TOKEN: 'cli-token' });
      assert.equal(await runCli([...args, '--directory', `http://127.0.0.1:${closed}`], io), 1);
      const text = io.stderr.join('\n');
      assert.match(text, new RegExp(`127\\.0\\.0\\.1:${closed}`));
      assert.match(text, /connection refused.*ECONNREFUSED/);
      assert.doesNotMatch(text, /fetch failed/);
    }
  });

  it('an unknown namespace is an error naming the namespaces served', async () => {
    const io = captureIo();
    assert.equal(await runCli(['routing', 'get', '--directory', url, '--namespace', 'nope'], io), 1);
    assert.match(io.stderr.join('\n'), /namespace "nope" is not served.*default, fresh, prod/);
  });

  it('refuses bad input: a nested key (exit 1, names the key), no token (exit 1: the directory refused, as --help says), unknown action (exit 2)', async () => {
    const io = captureIo({ BATON_DIRECTORY_TOKEN: 'cli-token' });
    assert.equal(await runCli(['routing', 'add-key', 'zk-a:2181', '/orders/eu', '--directory', url, '--namespace', 'prod'], io), 1);
    assert.match(io.stderr.join(''), /"\/orders"/);
    const noToken = captureIo();
    assert.equal(await runCli(['routing', 'add-key', 'zk-a:2181', '/x', '--directory', url, '--namespace', 'prod'], noToken), 1);
    assert.match(noToken.stderr.join(''), /401/);
    const unknown = captureIo();
    assert.equal(await runCli(['routing', 'frobnicate'], unknown), 2);
  });
});
