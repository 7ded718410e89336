/**
 * ZooKeeper digest ACLs on a real server: with `?digest-file=` on the store URL every znode baton
 * creates is writable only with the credentials (a client without them gets NO_AUTH), baton
 * itself keeps working across a reconnect, and the password shows in no log line, error message
 * or printed config.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { ZkClient, ZkDigest, ZkLayout, isZkError, loadZkAcl, parseZookeeperUrl } from '../../src/backends/zookeeper/index.js';
import { openStore, parseStoreUrl } from '../../src/backends/open-store.js';
import { createZookeeperBackend } from '../../src/backends/zookeeper/zookeeper-backend.js';
import { startDirectoryServer } from '../../src/directory/directory-server.js';
import { FederatedZkClient } from '../../src/federation/federated-zk-client.js';
import { ZkRoutingSource } from '../../src/federation/zk-routing-source.js';
import { encodeRealmRecord } from '../../src/federation/zk-routing-layout.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startNode } from '../../src/http/start-node.js';
import type { Backend } from '../../src/contract/index.js';
import { isBatonError } from '../../src/errors.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import type { CliIo } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run-cli.js';
import { waitFor, withTimeout } from '../support/wait.js';

const USER = 'baton';
/** Distinctive, so a leak anywhere is found by a plain substring search. */
const PASSWORD = 'pw-Zq81-never-printed';
/** Session timeout of plain test clients, ms: short, above the server's minimum. */
const SESSION_MS = 4_000;
/** Fast session timing for the backends under test (real clocks, tick 250 ms). */
const TIMING = Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 });

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env: {}, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

/** Rejects unless `promise` fails with ZooKeeper's NO_AUTH. */
async function refused(what: string, promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isZkError(error, 'NO_AUTH'), `${what} should be refused with NO_AUTH`);
}

describe('ZooKeeper digest ACLs', () => {
  let zk: StandaloneZooKeeper;
  let dir: string;
  let digestFile: string;
  let stranger: ZkClient;
  const closers: (() => Promise<unknown>)[] = [];

  before(async () => {
    zk = await startStandalone();
    dir = mkdtempSync(join(os.tmpdir(), 'baton-acl-'));
    digestFile = join(dir, 'zk-digest');
    writeFileSync(digestFile, `${USER}:${PASSWORD}\n`, { mode: 0o600 });
    stranger = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: SESSION_MS });
  });
  after(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await stranger?.close();
    await zk?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (url: string, cluster: string): Promise<Backend> => {
    const backend = await openStore(url, { cluster });
    closers.push(() => backend.close());
    return backend;
  };

  it('a client without the credentials can neither write, create under, delete nor read baton\'s znodes', async () => {
    const backend = await open(`zookeeper://${zk.connectString}/acl/a?digest-file=${digestFile}`, 'c1');
    const session = await backend.openSession({ nodeId: 'n1', info: { host: 'n1' }, timing: TIMING });
    closers.push(() => session.close());
    const term = await session.campaign('leader', {});
    assert.ok(term.held());
    await backend.kv.put('config/x', { v: 1 }, { expectVersion: null });

    const layout = new ZkLayout('c1');
    const base = '/acl/a';
    const member = `${base}${layout.member('n1')}`;
    const kvKey = `${base}${layout.kvPath('config/x')}`;
    const [candidate] = await stranger.getChildren(`${base}${layout.election('leader')}`).catch(() => ['(unreadable)']);
    await refused('setData on a KV document', stranger.setData(kvKey, Buffer.from('{"v":666}')));
    await refused('delete of a KV document', stranger.delete(kvKey));
    await refused('create under the KV root', stranger.create(`${base}${layout.kv}/planted`, Buffer.from('{}')));
    await refused('delete of the member znode', stranger.delete(member));
    await refused('create of a member', stranger.create(`${base}${layout.members}/intruder`, Buffer.from('{}'), { mode: 'ephemeral' }));
    await refused('create of a lower candidate', stranger.create(`${base}${layout.election('leader')}/n_`, null, { mode: 'ephemeral_sequential' }));
    await refused('delete of the chroot\'s cluster root', stranger.deleteRecursive(base));
    await refused('read of a KV document (no world read)', stranger.getData(kvKey));
    assert.equal(candidate, '(unreadable)', 'without world read, even the election is unreadable');

    // baton itself still works end to end: the term holds, KV reads and fenced writes go through.
    assert.ok(term.held());
    assert.deepEqual((await backend.kv.get('config/x'))?.value, { v: 1 });
    await backend.kv.put('config/x', { v: 2 }, { expectVersion: 1, fence: term.fence });

    // The CLI reads the locked cluster with the same URL; without the credentials it is refused.
    const io = capture();
    assert.equal(await runCli(['status', '--cluster', 'c1', '--store', `zookeeper://${zk.connectString}/acl/a?digest-file=${digestFile}`, '--json'], io), 0, io.stderr);
    assert.match(io.stdout, /"n1"/);
    const denied = capture();
    assert.equal(await runCli(['status', '--cluster', 'c1', '--store', `zookeeper://${zk.connectString}/acl/a`, '--json', '--store-connect-attempts', '1'], denied), 2);
    assert.match(denied.stderr, /NO_AUTH.*protected by a ZooKeeper ACL/);
    await term.resign();
  });

  it('with world-read=true anyone may read, still only the credentials write', async () => {
    const backend = await open(`zookeeper://${zk.connectString}/acl/b?digest-file=${digestFile}&world-read=true`, 'c2');
    await backend.kv.put('k', { v: 1 }, { expectVersion: null });
    const kvKey = `/acl/b${new ZkLayout('c2').kvPath('k')}`;
    assert.deepEqual(JSON.parse((await stranger.getData(kvKey)).data.toString()), { v: 1 });
    await refused('setData', stranger.setData(kvKey, Buffer.from('{"v":2}')));
    await refused('delete', stranger.delete(kvKey));
  });

  it('requests made while disconnected go out after the credentials on the new connection (no NO_AUTH after a blip)', async () => {
    const digest = ZkDigest.parse(`${USER}:${PASSWORD}`, 'test');
    const proxy = await TcpProxy.start('127.0.0.1', Number(zk.connectString.split(':')[1]));
    closers.push(() => proxy.close());
    const client = await ZkClient.connect({ connect: `127.0.0.1:${proxy.port}`, sessionTimeoutMs: 10_000, acl: { digest } });
    closers.push(() => client.close());
    await client.mkdirs('/acl/blip');
    proxy.cut();
    await waitFor('the client to see the disconnect', () => client.state === 'disconnected');
    // Queued in the library while disconnected: sent on the next connection.
    const created = client.create('/acl/blip/child', Buffer.from('x'), { timeoutMs: 8_000 });
    const written = client.setData('/acl/blip', Buffer.from('y'), { timeoutMs: 8_000 });
    proxy.restore();
    await withTimeout('queued writes', Promise.all([created, written]), 10_000);
    assert.equal((await client.getData('/acl/blip/child')).data.toString(), 'x');
    await refused('a stranger deleting what was created after the blip', stranger.delete('/acl/blip/child'));
  });

  it('the directory creates its znodes with the credentials and world read', async () => {
    const directory = await startDirectoryServer({ zk: zk.connectString, root: '/acl-directory', namespaces: ['ns'], allowUnauthenticatedWrites: true, zkDigest: ZkDigest.parse(`${USER}:${PASSWORD}`, 'test'), sessionTimeoutMs: SESSION_MS });
    closers.push(() => directory.close());
    const put = await fetch(`${directory.url}/admin/v2/namespaces/ns/routing-data`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ [zk.connectString]: ['/orders'] }) });
    assert.equal(put.status, 201);
    const base = directory.store.routingPath('ns');
    assert.ok((await stranger.getData(`${base}/${zk.connectString}`)).data.length > 0, 'routing data stays world-readable');
    await refused('setData of a realm record', stranger.setData(`${base}/${zk.connectString}`, Buffer.from('{}')));
    await refused('create of a realm', stranger.create(`${base}/203.0.113.7:2181`, Buffer.from('{}')));
    await refused('delete of the namespace', stranger.deleteRecursive('/acl-directory/ns'));
  });

  it('a federated client creates its znodes with the ACL; a routing source reads a locked routing ZooKeeper with it', async () => {
    const acl = { digest: ZkDigest.parse(`${USER}:${PASSWORD}`, 'test') };
    const federated = await FederatedZkClient.create({ routing: { [zk.connectString]: ['/fed'] }, acl, sessionTimeoutMs: SESSION_MS });
    closers.push(() => federated.close());
    await federated.create('/fed/orders/1', Buffer.from('{}'), { createParents: true });
    await refused('a stranger deleting a federated znode', stranger.delete('/fed/orders/1'));
    await refused('a stranger writing a federated znode', stranger.setData('/fed/orders/1', Buffer.from('x')));

    const writer = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: SESSION_MS, acl });
    closers.push(() => writer.close());
    await writer.create(`/locked-routing/${zk.connectString}`, encodeRealmRecord(zk.connectString, ['/fed']), { createParents: true });
    await refused('a stranger reading locked routing data', stranger.getData(`/locked-routing/${zk.connectString}`));
    const source = new ZkRoutingSource({ connect: zk.connectString, path: '/locked-routing', acl, sessionTimeoutMs: SESSION_MS });
    closers.push(() => source.close());
    assert.deepEqual((await source.read()).shardingKeys(zk.connectString), ['/fed']);
  });

  it('the password shows in no log line of a node, no printed config and no error message', async () => {
    let logged = '';
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => void ((logged += chunk.toString()), done()) });
    const url = `zookeeper://${zk.connectString}/acl/node?digest-file=${digestFile}`;
    const { config } = loadConfig({ env: {}, values: { cluster: 'logs', nodeId: 'n1', store: url, http: { port: 0 }, election: TIMING, log: { level: 'trace' } } });
    const node = await startNode(config, { logger: pino({ level: 'trace' }, sink) });
    closers.push(() => node.close());
    await waitFor('the node to lead', () => node.isLeader());
    await node.close();
    assert.ok(logged.length > 0, 'the node logged');
    assert.ok(!logged.includes(PASSWORD), 'the password is not in the node log');
    assert.ok(!JSON.stringify(config).includes(PASSWORD) && !inspect(config, { depth: 10 }).includes(PASSWORD), 'nor in the config');
    assert.ok(!parseStoreUrl(url).display.includes(PASSWORD));

    const acl = loadZkAcl({ file: digestFile, worldRead: false });
    for (const shown of [JSON.stringify(acl), inspect(acl, { depth: 5 }), String(acl.digest), `${acl.digest.user}`]) {
      assert.ok(!shown.includes(PASSWORD), `"${shown}" shows the password`);
    }
    assert.match(JSON.stringify(acl), /"password":"\*\*\*"/);

    const messages: string[] = [];
    const capture = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        messages.push(String((error as Error).message));
      }
    };
    capture(() => parseZookeeperUrl(`zookeeper://${USER}:${PASSWORD}@${zk.connectString}/acl`));
    capture(() => loadConfig({ env: { BATON_STORE: `zookeeper://${USER}:${PASSWORD}@127.0.0.1:2181/x` } }));
    writeFileSync(join(dir, 'bad'), `${PASSWORD}\n`); // no user: malformed
    capture(() => loadZkAcl({ file: join(dir, 'bad'), worldRead: false }));
    capture(() => loadZkAcl({ env: 'ZK', worldRead: false }, { ZK: `nocolon${PASSWORD}` }));
    assert.equal(messages.length, 4, messages.join('\n'));
    for (const message of messages) assert.ok(!message.includes(PASSWORD), `"${message}" shows the password`);
    assert.match(messages[0] ?? '', /digest-file/);
  });

  it('the store URL names where the credentials are, and refuses anything else', () => {
    assert.deepEqual(parseZookeeperUrl('zookeeper://zk1:2181/apps/baton?digest-file=/run/secrets/zk'), {
      connect: 'zk1:2181',
      chroot: '/apps/baton',
      acl: { file: '/run/secrets/zk', worldRead: false },
    });
    assert.deepEqual(parseZookeeperUrl('zookeeper://zk1?digest-env=ZK_DIGEST&world-read=true').acl, { env: 'ZK_DIGEST', worldRead: true });
    assert.equal(parseZookeeperUrl('zookeeper://zk1:2181/apps').acl, undefined);
    for (const [url, problem] of [
      ['zookeeper://zk1?digest=x', /unknown parameter "digest"/],
      ['zookeeper://zk1?digest-file=/a&digest-env=B', /exactly one/],
      ['zookeeper://zk1?world-read=true', /exactly one/],
      ['zookeeper://zk1?digest-env=B&world-read=yes', /world-read must be true or false/],
      ['zookeeper://zk1?digest-env=1-bad', /digest-env must name an environment variable/],
      ['zookeeper://zk1?digest-file=/a&digest-file=/b', /given twice/],
      ['zookeeper://admin:hunter2@zk1:2181/x', /carries credentials/],
    ] as const) {
      assert.throws(() => parseStoreUrl(url), (error: Error) => problem.test(error.message) && !error.message.includes('hunter2'), url);
    }
    assert.throws(() => loadZkAcl({ env: 'ZK_UNSET_FOR_TEST', worldRead: false }, {}), /ZK_UNSET_FOR_TEST \(digest-env\) is not set/);
    assert.throws(() => loadZkAcl({ file: join(dir, 'missing'), worldRead: false }), /cannot read the ZooKeeper digest file .*missing \(ENOENT\)/);
    assert.equal(loadZkAcl({ env: 'ZK', worldRead: false }, { ZK: 'u:p:with:colons' }).digest.aclId(), `u:${createHash('sha1').update('u:p:with:colons').digest('base64')}`);
  });

  it('turning ACLs on for a cluster that ran without them locks down the znodes it already has', async () => {
    const base = '/migrated'; // not under /acl, which earlier tests locked
    const layout = new ZkLayout('c4');
    const before = await createZookeeperBackend({ connect: zk.connectString, chroot: base, cluster: 'c4' });
    const session = await before.openSession({ nodeId: 'n1', info: {}, timing: TIMING });
    await (await session.campaign('leader', {})).resign();
    await before.kv.put('assignments/n1', { buckets: [1] }, { expectVersion: null });
    await session.close();
    await before.close();

    await open(`zookeeper://${zk.connectString}${base}?digest-file=${digestFile}`, 'c4');
    await refused('a stranger planting a lower candidate in an old election', stranger.create(`${base}${layout.election('leader')}/n_`, null, { mode: 'ephemeral_sequential' }));
    await refused('a stranger rewriting an old KV document', stranger.setData(`${base}${layout.kvPath('assignments/n1')}`, Buffer.from('{"buckets":[]}')));
    await refused('a stranger joining as a member', stranger.create(`${base}${layout.members}/intruder`, null, { mode: 'ephemeral' }));

    const other = join(dir, 'other-digest');
    writeFileSync(other, `${USER}:another-password\n`);
    await assert.rejects(openStore(`zookeeper://${zk.connectString}${base}?digest-file=${other}`, { cluster: 'c4' }), (error: Error) => isBatonError(error, 'CONFIG') && /locked with other ZooKeeper credentials than baton's/.test(error.message) && !error.message.includes('another-password'));
  });

  it('a backend opened without the credentials cannot take over a locked-down cluster', async () => {
    const locked = await open(`zookeeper://${zk.connectString}/acl/c?digest-file=${digestFile}`, 'c3');
    await locked.kv.put('k', { v: 1 }, { expectVersion: null });
    await assert.rejects(createZookeeperBackend({ connect: zk.connectString, chroot: '/acl/c', cluster: 'c3' }), (error: Error) => isBatonError(error, 'CONFIG') && /NO_AUTH.*protected by a ZooKeeper ACL.*digest-file/.test(error.message));
  });
});
