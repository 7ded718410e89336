/**
 * etcd with client TLS and user/password auth turned on: the store URL's `ca-file`, `user` and
 * `password-env` reach it; without the CA, or without credentials, opening fails with a clear
 * StoreUnavailableError. Certificates are made for the test with openssl.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Backend } from '../../src/contract/index.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { openStore } from '../../src/backends/open-store.js';
import { isBatonError } from '../../src/errors.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';
import { waitFor } from '../support/wait.js';

const TIMING = Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 });
const PASSWORD_ENV = 'BATON_TEST_ETCD_PASSWORD';

/** A CA and a server certificate for 127.0.0.1 signed by it, in `dir`. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=baton-test-ca');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

/** One call to etcd's JSON gateway over TLS (to add the root user and turn auth on). */
function gateway(port: number, ca: Buffer, path: string, body: object, token?: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const request = https.request({ host: '127.0.0.1', port, path, method: 'POST', ca, headers: token ? { authorization: token } : {} }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

describe('etcd with TLS and user/password auth', () => {
  let dir: string;
  let etcd: EtcdCluster;
  let ca: Buffer;
  let caFile: string;
  const backends: Backend[] = [];

  before(async () => {
    dir = mkdtempSync(join(os.tmpdir(), 'baton-etcd-tls-'));
    const files = makeCertificates(dir);
    caFile = files.ca;
    ca = readFileSync(files.ca);
    etcd = await startEtcd({ tls: { cert: files.cert, key: files.key, ca } });
    const port = etcd.members[0]?.clientPort ?? 0;
    await gateway(port, ca, '/v3/auth/user/add', { name: 'root', password: 'root-secret' });
    await gateway(port, ca, '/v3/auth/user/grant', { user: 'root', role: 'root' });
    const enabled = await gateway(port, ca, '/v3/auth/enable', {});
    assert.ok(enabled['header'], `auth enable answered ${JSON.stringify(enabled)}`);
  });
  after(async () => {
    delete process.env[PASSWORD_ENV];
    await Promise.allSettled(backends.map((b) => b.close()));
    await etcd?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without credentials, or without the CA, opening fails with StoreUnavailableError', async () => {
    await assert.rejects(createEtcdBackend({ endpoints: etcd.endpoints, cluster: 'c', tls: { ca } }), (e: unknown) => isBatonError(e, 'STORE_UNAVAILABLE'));
    await assert.rejects(createEtcdBackend({ endpoints: etcd.endpoints, cluster: 'c', tls: {}, auth: { user: 'root', password: 'root-secret' } }), (e: unknown) => isBatonError(e, 'STORE_UNAVAILABLE'));
    await assert.rejects(createEtcdBackend({ endpoints: etcd.endpoints, cluster: 'c', tls: { ca }, auth: { user: 'root', password: 'wrong' } }), (e: unknown) => isBatonError(e, 'STORE_UNAVAILABLE'));
  });

  it('through the store URL: sessions, elections, fenced writes and watches work', async () => {
    process.env[PASSWORD_ENV] = 'root-secret';
    const url = `etcd://${etcd.endpoints[0] ?? ''}/secure?ca-file=${encodeURIComponent(caFile)}&user=root&password-env=${PASSWORD_ENV}`;
    const backend = await openStore(url, { cluster: 'tls' });
    const observer = await openStore(url, { cluster: 'tls' });
    backends.push(backend, observer);
    let fired = 0;
    const watch = new AbortController();
    observer.kv.watch('w/', () => fired++, { signal: watch.signal });
    const session = await backend.openSession({ nodeId: 'n1', info: { host: 'n1' }, timing: TIMING });
    const leadership = await session.campaign('leader', { host: 'n1' });
    await backend.kv.put('w/x', { by: 'n1' }, { fence: leadership.fence });
    await waitFor('the watch over TLS', () => fired > 0);
    watch.abort();
    assert.equal((await observer.leader('leader'))?.nodeId, 'n1');
    assert.deepEqual((await observer.members()).map((m) => m.nodeId), ['n1']);
    await session.close();
  });
});
