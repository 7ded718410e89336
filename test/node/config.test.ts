import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_TIMING } from '../../src/contract/timing.js';
import { ConfigError, isBatonError } from '../../src/errors.js';

describe('configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  function file(text: string): string {
    const path = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(path, text);
    return path;
  }
  const configError = (key: string, pattern: RegExp) => (error: unknown) => error instanceof ConfigError && error.key === key && pattern.test(error.message);

  it('has defaults for everything', () => {
    const { config } = loadConfig({ env: {} });
    assert.equal(config.cluster, 'baton');
    assert.equal(config.store.url, 'sqlite:./.baton/baton.db');
    assert.equal(config.store.tablePrefix, 'baton_');
    assert.equal(config.http.host, '127.0.0.1');
    assert.equal(config.http.port, 7400);
    assert.equal(config.nodeId, '127.0.0.1-7400');
    assert.deepEqual(config.election, { ...DEFAULT_TIMING, preferredLeader: null });
    assert.equal(config.auth.token, null);
    assert.equal(config.log.level, 'info');
  });

  it('reads the bearer token from auth.tokenFile (the secret stays out of flags, ps and messages)', () => {
    const secret = 's3cret-token-value';
    const tokenFile = file(`${secret}\n`);
    const { config } = loadConfig({ env: {}, flags: { 'auth-token-file': tokenFile } });
    assert.equal(config.auth.token, secret);
    assert.equal(loadConfig({ env: { BATON_AUTH_TOKEN_FILE: tokenFile } }).config.auth.token, secret);
    const refused = (run: () => unknown, pattern: RegExp) =>
      assert.throws(run, (error: unknown) => configError('auth.tokenFile', pattern)(error) && !String((error as Error).message).includes(secret));
    refused(() => loadConfig({ env: { BATON_AUTH_TOKEN: secret }, flags: { 'auth-token-file': tokenFile } }), /not both/);
    refused(() => loadConfig({ env: {}, flags: { 'auth-token-file': join(dir, 'missing') } }), /cannot read/);
    refused(() => loadConfig({ env: {}, flags: { 'auth-token-file': file('\n') } }), /one non-empty line/);
  });

  it('takes flags over environment over file over defaults, key by key', () => {
    const path = file('cluster: from-file\nhttp:\n  port: 7001\n  host: 0.0.0.0\nelection:\n  ttlMs: 30000\n  renewDeadlineMs: 20000\nlog:\n  level: warn\n');
    const env = { BATON_HTTP_PORT: '7002', BATON_CLUSTER: 'from-env', BATON_ELECTION_TTL_MS: '40000' };
    const flags = { 'http-port': '7003' };
    const { config } = loadConfig({ file: path, env, flags });
    assert.equal(config.http.port, 7003, 'flag beats env and file');
    assert.equal(config.cluster, 'from-env', 'env beats file');
    assert.equal(config.election.ttlMs, 40000, 'env beats file');
    assert.equal(config.election.renewDeadlineMs, 20000, 'file beats default');
    assert.equal(config.http.host, '0.0.0.0', 'file beats default');
    assert.equal(config.log.level, 'warn');
    assert.equal(config.election.retryPeriodMs, DEFAULT_TIMING.retryPeriodMs, 'default when nobody sets it');
    assert.equal(config.advertise.host, hostname(), 'a wildcard bind advertises the hostname');
    assert.equal(config.nodeId, `${hostname().replace(/[^A-Za-z0-9._:@-]/g, '-')}-7003`);
  });

  it('reads the file named by BATON_CONFIG, and --config over it', () => {
    const a = file('cluster: a\n');
    const b = file('cluster: b\n');
    assert.equal(loadConfig({ env: { BATON_CONFIG: a } }).config.cluster, 'a');
    assert.equal(loadConfig({ env: { BATON_CONFIG: a }, file: b }).config.cluster, 'b');
  });

  it('accepts store as a URL or as a section', () => {
    const short = loadConfig({ env: {}, file: file('store: postgres://u@db:5432/baton\n') }).config;
    assert.equal(short.store.url, 'postgres://u@db:5432/baton');
    const long = loadConfig({ env: {}, file: file('store:\n  url: mysql://root@db/baton\n  tablePrefix: shop_\n  migrate: false\n') }).config;
    assert.deepEqual([long.store.url, long.store.tablePrefix, long.store.migrate], ['mysql://root@db/baton', 'shop_', false]);
    assert.equal(loadConfig({ env: { BATON_STORE: 'none' } }).config.store.url, 'none');
  });

  it('reads advertised ports, tags, zone and weight from text', () => {
    const { config } = loadConfig({ env: { BATON_ADVERTISE_PORTS: 'grpc=9000,admin=9001', BATON_ADVERTISE_TAGS: 'blue, canary', BATON_ADVERTISE_ZONE: 'eu-1a', BATON_ADVERTISE_WEIGHT: '2.5' } });
    assert.deepEqual(config.advertise.ports, { grpc: 9000, admin: 9001 });
    assert.deepEqual(config.advertise.tags, ['blue', 'canary']);
    assert.equal(config.advertise.zone, 'eu-1a');
    assert.equal(config.advertise.weight, 2.5);
  });

  it('is frozen all the way down', () => {
    const { config } = loadConfig({ env: {} });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.http) && Object.isFrozen(config.election) && Object.isFrozen(config.advertise.tags));
    assert.throws(() => {
      (config.http as { port: number }).port = 1;
    }, TypeError);
  });

  it('rejects a wrong type, naming key, value, source and what is allowed', () => {
    assert.throws(() => loadConfig({ env: {}, file: file('http:\n  port: 99999\n') }), configError('http.port', /must be a whole number from 0 to 65535, got 99999 \(from config file/));
    assert.throws(() => loadConfig({ env: { BATON_STORE_MIGRATE: 'maybe' } }), configError('store.migrate', /true or false, got "maybe" \(from environment variable BATON_STORE_MIGRATE\)/));
    assert.throws(() => loadConfig({ env: {}, flags: { 'log-level': 'loud' } }), configError('log.level', /one of fatal, error, warn, info, debug, trace, silent, got "loud" \(from flag --log-level\)/));
    assert.throws(() => loadConfig({ env: {}, file: file('election: 5\n') }), configError('election', /must be a mapping/));
    assert.throws(() => loadConfig({ env: { BATON_PLACEMENT_EXPECTED_NODES: '-1' } }), configError('placement.expectedNodes', /whole number from 0 to 10000, got "-1"/));
    assert.throws(() => loadConfig({ env: {}, file: file('placement:\n  expectedNodes: 2.5\n') }), configError('placement.expectedNodes', /whole number from 0 to 10000, got 2.5/));
    assert.equal(loadConfig({ env: { BATON_PLACEMENT_EXPECTED_NODES: '10' } }).config.placement.expectedNodes, 10);
  });

  it('reports every unknown key of the file in one message', () => {
    assert.throws(() => loadConfig({ env: {}, file: file('clutser: x\nhttp:\n  prot: 1\n') }), (error: unknown) =>
      isBatonError(error, 'CONFIG') && /unknown keys clutser, http\.prot/.test(error.message));
  });

  it('reports malformed YAML with its line', () => {
    assert.throws(() => loadConfig({ env: {}, file: file('cluster: a\nhttp: {port: 1\nlog: x\n') }), configError('config', /not valid YAML: .*\(line \d+, column \d+\)/));
    assert.throws(() => loadConfig({ env: {}, file: join(dir, 'missing.yaml') }), configError('config', /no such file/));
  });

  it('checks names, timing and the store URL', () => {
    assert.throws(() => loadConfig({ env: { BATON_NODE_ID: 'a/b' } }), configError('nodeId', /node id "a\/b" is invalid/));
    assert.throws(() => loadConfig({ env: { BATON_CLUSTER: 'my cluster' } }), configError('cluster', /cluster name/));
    assert.throws(() => loadConfig({ env: { BATON_ELECTION_RETRY_PERIOD_MS: '9000' } }), configError('election.retryPeriodMs', /renewDeadlineMs/));
    assert.throws(() => loadConfig({ env: { BATON_STORE: 'redis://x' } }), (e: unknown) => isBatonError(e, 'CONFIG') && e.message.includes('redis://x'));
    assert.throws(() => loadConfig({ env: { BATON_STORE_TABLE_PREFIX: '1abc' } }), configError('store.tablePrefix', /"1abc"/));
  });

  it('warns about unknown BATON_* variables instead of ignoring them', () => {
    const { warnings } = loadConfig({ env: { BATON_HTTP_PROT: '1' } });
    assert.deepEqual(warnings, ['environment variable BATON_HTTP_PROT is not a baton setting and was not used']);
  });
});
