/**
 * Who may write to the directory service, on a real ZooKeeper: without a token writes are
 * refused (a PUT pointing a namespace at a foreign ZooKeeper must not land), unless the operator
 * opened them on purpose; with a token only its bearer writes. Reads stay open in every mode.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { startDirectoryServer, type DirectoryServer } from '../../src/directory/directory-server.js';
import { withTimeout } from '../support/wait.js';

const TOKEN = 'dir-auth-token';
/** A ZooKeeper nobody runs: routing data pointing there is what an attacker would write. */
const FOREIGN = '203.0.113.7:2181';

describe('directory service write access', () => {
  let zk: StandaloneZooKeeper;
  const servers: DirectoryServer[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    zk = await startStandalone();
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.close()));
    await zk?.close();
  });

  const start = async (options: { token?: string; allowUnauthenticatedWrites?: boolean }) => {
    const server = await startDirectoryServer({ zk: zk.connectString, namespaces: ['hijack', 'open', 'guarded'], sessionTimeoutMs: 4_000, ...options });
    servers.push(server);
    return server;
  };
  const send = async (url: string, method: string, path: string, { token, body }: { token?: string; body?: unknown } = {}) => {
    const response = await fetch(`${url}/admin/v2/namespaces${path}`, {
      method,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as { code?: string; message?: string } };
  };

  it('without a token, a PUT of routing data and a DELETE are refused with 403 and nothing is written', async () => {
    const server = await start({});
    const put = await send(server.url, 'PUT', '/hijack/routing-data', { body: { [FOREIGN]: ['/orders'] } });
    assert.equal(put.status, 403);
    assert.equal(put.body.code, 'FORBIDDEN');
    assert.match(put.body.message ?? '', /--token-file|BATON_DIRECTORY_TOKEN/);
    assert.match(put.body.message ?? '', /--allow-unauthenticated-writes/);
    const del = await send(server.url, 'DELETE', `/hijack/metadata-store-realms/${FOREIGN}`);
    assert.equal(del.status, 403);
    const realmPut = await send(server.url, 'PUT', `/hijack/metadata-store-realms/${FOREIGN}/sharding-keys/orders`);
    assert.equal(realmPut.status, 403);
    assert.equal((await server.store.read('hijack')).data.realms.length, 0, 'nothing was written');
    const read = await send(server.url, 'GET', '/hijack/routing-data');
    assert.equal(read.status, 200, 'reads stay open');
  });

  it('with --allow-unauthenticated-writes semantics, anyone may PUT and DELETE', async () => {
    const server = await start({ allowUnauthenticatedWrites: true });
    assert.equal((await send(server.url, 'PUT', '/open/routing-data', { body: { [zk.connectString]: ['/a'] } })).status, 201);
    assert.equal((await send(server.url, 'DELETE', `/open/metadata-store-realms/${zk.connectString}/sharding-keys/a`)).status, 200);
    assert.equal((await send(server.url, 'GET', '/open/routing-data')).status, 200);
  });

  it('with a token, only its bearer writes: a missing or wrong token is a 401, reads stay open', async () => {
    const server = await start({ token: TOKEN });
    assert.equal((await send(server.url, 'PUT', '/guarded/routing-data', { body: { [zk.connectString]: ['/a'] } })).status, 401);
    assert.equal((await send(server.url, 'PUT', '/guarded/routing-data', { token: 'wrong', body: { [zk.connectString]: ['/a'] } })).status, 401);
    assert.equal((await send(server.url, 'PUT', '/guarded/routing-data', { token: TOKEN, body: { [zk.connectString]: ['/a'] } })).status, 201);
    assert.equal((await send(server.url, 'DELETE', `/guarded/metadata-store-realms/${zk.connectString}/sharding-keys/a`)).status, 401);
    assert.equal((await send(server.url, 'DELETE', `/guarded/metadata-store-realms/${zk.connectString}/sharding-keys/a`, { token: TOKEN })).status, 200);
    assert.equal((await send(server.url, 'GET', '/guarded/routing-data')).status, 200);
  });

  it('a token and the open option together are refused as contradictory', async () => {
    await assert.rejects(start({ token: TOKEN, allowUnauthenticatedWrites: true }), { code: 'CONFIG' });
  });

  /** Starts `baton directory start` with `args` and `env`; resolves its URL and collects stderr. */
  const startCli = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'directory', 'start', '--zk', zk.connectString, '--namespace', 'cli', '--port', '0', '--json', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, ...env },
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const [first] = (await withTimeout('directory start line', once(lines, 'line'), 20_000)) as [string];
    const started = JSON.parse(first) as { url: string; writes: string };
    const stop = async () => {
      child.kill('SIGTERM');
      const [code] = (await withTimeout('directory exit', once(child, 'exit'), 10_000)) as [number];
      return code;
    };
    return { ...started, stderr: () => stderr, stop };
  };

  it('"baton directory start" refuses writes without a token, opens them only with --allow-unauthenticated-writes (and warns)', async () => {
    const closed = await startCli([]);
    assert.equal(closed.writes, 'refused');
    assert.equal((await send(closed.url, 'PUT', '/cli/routing-data', { body: { [FOREIGN]: ['/orders'] } })).status, 403);
    assert.equal(await closed.stop(), 0);

    const open = await startCli(['--allow-unauthenticated-writes']);
    assert.equal(open.writes, 'open');
    assert.match(open.stderr(), /WARNING.*anyone.*write/i);
    assert.equal((await send(open.url, 'PUT', '/cli/routing-data', { body: { [zk.connectString]: ['/orders'] } })).status, 201);
    assert.equal(await open.stop(), 0);

    const guarded = await startCli([], { BATON_DIRECTORY_TOKEN: TOKEN });
    assert.equal(guarded.writes, 'token');
    assert.equal((await send(guarded.url, 'PUT', '/cli/routing-data', { body: { [zk.connectString]: ['/x'] } })).status, 401);
    assert.equal((await send(guarded.url, 'PUT', '/cli/routing-data', { token: TOKEN, body: { [zk.connectString]: ['/x'] } })).status, 201);
    assert.doesNotMatch(guarded.stderr(), new RegExp(TOKEN));
    assert.equal(await guarded.stop(), 0);
  });
});
