import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadEtcdSecrets, parseEtcdUrl } from '../../src/backends/etcd/index.js';
import { parseStoreUrl } from '../../src/backends/open-store.js';
import { isBatonError } from '../../src/errors.js';

const isConfig = (error: unknown) => isBatonError(error, 'CONFIG');

describe('etcd store URL', () => {
  it('members with default ports, the prefix (default /baton), no TLS or user', () => {
    assert.deepEqual(parseEtcdUrl('etcd://e1,e2:2479,10.0.0.3:2379/apps/baton/'), {
      endpoints: ['e1:2379', 'e2:2479', '10.0.0.3:2379'],
      prefix: '/apps/baton',
      tls: undefined,
      user: undefined,
      password: undefined,
    });
    assert.equal(parseEtcdUrl('etcd://e1').prefix, '/baton');
    assert.equal(parseStoreUrl('etcd://e1:2379/p').kind, 'etcd');
  });

  it('TLS files and a user with a password file or variable; the display shows no secret', () => {
    const parsed = parseEtcdUrl('etcd://e1/p?ca-file=/ca.pem&cert-file=/c.pem&key-file=/k.pem&user=baton&password-env=ETCD_PW');
    assert.deepEqual(parsed.tls, { ca: '/ca.pem', cert: '/c.pem', key: '/k.pem' });
    assert.deepEqual([parsed.user, parsed.password], ['baton', { env: 'ETCD_PW' }]);
    assert.deepEqual(parseEtcdUrl('etcd://e1/p?tls=true').tls, {});
    const display = parseStoreUrl('etcd://e1/p?user=baton&password-file=/run/secrets/pw').display;
    assert.equal(display, 'etcd://e1:2379/p (user baton)');
  });

  it('refuses credentials in the URL, unknown or repeated parameters, half a client certificate, a password without a user', () => {
    for (const url of [
      'etcd://baton:secret@e1/p',
      'etcd://e1/p?password=x',
      'etcd://e1/p?tls=true&tls=true',
      'etcd://e1/p?cert-file=/c.pem',
      'etcd://e1/p?password-file=/pw',
      'etcd://e1/p?user=baton',
      'etcd://e1/p?user=baton&password-file=/pw&password-env=X',
      'etcd://e1/p?tls=false&ca-file=/ca.pem',
      'etcd://e1:99999/p',
      'etcd://e1/p/../q',
      'etcd:///p',
    ]) {
      assert.throws(() => parseEtcdUrl(url), isConfig, url);
    }
    assert.throws(() => parseEtcdUrl('etcd://baton:secret@e1/p'), (e: Error) => !e.message.includes('secret'));
  });

  it('reads the password and TLS files when the store opens; a missing one is a ConfigError naming it', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'baton-etcd-url-'));
    try {
      writeFileSync(join(dir, 'pw'), 'hunter2\n');
      writeFileSync(join(dir, 'ca.pem'), 'CA');
      const secrets = loadEtcdSecrets(parseEtcdUrl(`etcd://e1/p?ca-file=${join(dir, 'ca.pem')}&user=baton&password-file=${join(dir, 'pw')}`));
      assert.deepEqual(secrets.auth, { user: 'baton', password: 'hunter2' });
      assert.equal(secrets.tls?.ca?.toString(), 'CA');
      assert.throws(() => loadEtcdSecrets(parseEtcdUrl(`etcd://e1/p?ca-file=${join(dir, 'missing.pem')}`)), (e: unknown) => isConfig(e) && String(e).includes('missing.pem'));
      assert.throws(() => loadEtcdSecrets(parseEtcdUrl('etcd://e1/p?user=baton&password-env=BATON_TEST_NO_SUCH_VAR'), {}), (e: unknown) => isConfig(e) && String(e).includes('BATON_TEST_NO_SUCH_VAR'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
