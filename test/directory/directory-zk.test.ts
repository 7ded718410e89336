/**
 * The directory service on a real ZooKeeper: two instances share one ZooKeeper, concurrent
 * writes never lose an update, both serve reads, and a running federated client picks up a key
 * added through the directory on its next routing miss.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { ZkClient } from '../../src/zk-client/zk-client.js';
import { startDirectoryServer, type DirectoryServer } from '../../src/directory/directory-server.js';
import { FederatedZkClient } from '../../src/federation/federated-zk-client.js';
import { DirectoryRoutingSource } from '../../src/federation/directory-routing-source.js';
import { ZkRoutingSource } from '../../src/federation/zk-routing-source.js';
import { ROUTING_DATA_PATH, SHARDING_KEYS_FIELD, encodeRealmRecord } from '../../src/federation/zk-routing-layout.js';
import { FakeClock } from '../../src/testing/fake-clock.js';
import { InvalidRoutingDataError, RoutingError } from '../../src/errors.js';
import { gzipSync } from 'node:zlib';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { withTimeout } from '../support/wait.js';

const TOKEN = 'dir-token';

describe('directory service on ZooKeeper', () => {
  let zkServer: StandaloneZooKeeper;
  let direct: ZkClient;
  const directories: DirectoryServer[] = [];
  const clients: FederatedZkClient[] = [];
  const children: ChildProcess[] = [];
  let realm: string;

  before(async () => {
    zkServer = await startStandalone();
    realm = zkServer.connectString;
    direct = await ZkClient.connect({ connect: realm, sessionTimeoutMs: 4_000 });
    for (let i = 0; i < 2; i++) directories.push(await startDirectoryServer({ zk: realm, namespaces: ['race', 'helix'], token: TOKEN, sessionTimeoutMs: 4_000 }));
  });
  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(directories.map((d) => d.close()));
    await direct?.close();
    await zkServer?.close();
  });

  const http = async (i: number, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${directories[i]?.url}/admin/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
  };

  it('two instances writing different keys to one realm at once lose no update', async () => {
    assert.equal((await http(0, 'PUT', `/namespaces/race/metadata-store-realms/${realm}`)).status, 201);
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const results = await Promise.all(keys.map((k, i) => http(i % 2, 'PUT', `/namespaces/race/metadata-store-realms/${realm}/sharding-keys/${k}`)));
    assert.deepEqual(results.map((r) => r.status), keys.map(() => 201));
    for (const i of [0, 1]) {
      const listed = await http(i, 'GET', `/namespaces/race/metadata-store-realms/${realm}/sharding-keys`);
      assert.deepEqual(listed.body['shardingKeys'], keys.map((k) => `/${k}`).sort());
    }
  });

  it('of two racing writes that nest, exactly one lands and the other is a 400 naming the key', async () => {
    const [outer, inner] = await Promise.all([
      http(0, 'PUT', `/namespaces/race/metadata-store-realms/${realm}/sharding-keys/nest`),
      http(1, 'PUT', `/namespaces/race/metadata-store-realms/${realm}/sharding-keys/nest/inner`),
    ]);
    assert.deepEqual([outer.status, inner.status].sort(), [201, 400]);
    const refused = outer.status === 400 ? outer : inner;
    assert.match(String(refused.body['message']), outer.status === 400 ? /"\/nest\/inner"/ : /"\/nest"/);
    const keys = (await http(1, 'GET', `/namespaces/race/sharding-keys?prefix=/nest`)).body['shardingKeys'] as unknown[];
    assert.equal(keys.length, 1);
    const below = (await http(1, 'GET', `/namespaces/race/sharding-keys?prefix=/nest/inner/x`)).body['shardingKeys'] as unknown[];
    assert.equal(below.length, 0, 'a prefix below a key lists none (Helix)');
  });

  it('stores each realm as a Helix ZNRecord that a routing-ZooKeeper source reads', async () => {
    const put = await http(1, 'PUT', '/namespaces/helix/routing-data', { [realm]: ['/apps', '/teams/a'] });
    assert.equal(put.status, 201);
    const base = directories[0]?.store.routingPath('helix') as string;
    const record = JSON.parse((await direct.getData(`${base}/${realm}`)).data.toString()) as { id: string; listFields: Record<string, string[]> };
    const address = JSON.parse((await direct.getData(base)).data.toString()) as { id: string; listFields: Record<string, string[]> };
    assert.deepEqual([address.id, address.listFields['ROUTING_ZK_ADDRESS']], ['METADATA_STORE_ROUTING_DATA', [realm]], 'the routing ZK address record');
    assert.equal(record.id, realm);
    assert.deepEqual(record.listFields[SHARDING_KEYS_FIELD], ['/apps', '/teams/a']);
    const zk = await FederatedZkClient.create({ routing: new ZkRoutingSource({ connect: realm, path: base, sessionTimeoutMs: 4_000 }) });
    clients.push(zk);
    assert.deepEqual(await zk.route('/teams/a/x'), { realm, shardingKey: '/teams/a' });
    assert.deepEqual((await http(0, 'GET', '/metadata-store-namespaces')).body['namespaces'], ['helix', 'race']);
    assert.deepEqual((await http(0, 'GET', '/namespaces/helix/metadata-store-namespaces')).body['namespaces'], ['helix', 'race']);
  });

  it('a key added through the directory is routable by a running client on its next miss after the interval', async () => {
    const clock = new FakeClock();
    const source = new DirectoryRoutingSource({ url: directories[1]?.url as string, namespace: 'helix' });
    const zk = await FederatedZkClient.create({ routing: source, clock, routingRefreshIntervalMs: 5_000, sessionTimeoutMs: 4_000 });
    clients.push(zk);
    await zk.create('/apps/a1', null, { createParents: true });
    await assert.rejects(zk.create('/billing/b1', null, { createParents: true }), RoutingError);

    assert.equal((await http(0, 'PUT', `/namespaces/helix/metadata-store-realms/${realm}/sharding-keys/billing`)).status, 201);
    await assert.rejects(zk.create('/billing/b1', null, { createParents: true }), RoutingError, 'no refresh before the interval');
    await clock.advance(5_000);
    await zk.create('/billing/b1', Buffer.from('x'), { createParents: true });
    assert.equal((await direct.getData('/billing/b1')).data.toString(), 'x');
    assert.deepEqual(zk.routing.shardingKeys(realm), ['/apps', '/billing', '/teams/a']);
  });

  it('writes without the token are refused with 401 on a real server', async () => {
    const response = await fetch(`${directories[0]?.url}/admin/v2/namespaces/helix/metadata-store-realms/${realm}`, { method: 'DELETE' });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, 'UNAUTHORIZED');
    assert.equal((await http(0, 'GET', '/namespaces/helix/metadata-store-realms')).status, 200);
  });

  it('"baton directory start" serves the same routing data and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['dist/src/cli/main.js', 'directory', 'start', '--zk', realm, '--namespace', 'helix', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const [first] = (await withTimeout('directory start line', once(lines, 'line'), 20_000)) as [string];
    const { url } = JSON.parse(first) as { url: string };
    const response = await fetch(`${url}/admin/v2/namespaces/helix/routing-data`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { routingData: { realm: string; shardingKeys: string[] }[] };
    assert.deepEqual(body.routingData, [{ realm, shardingKeys: ['/apps', '/billing', '/teams/a'] }]);
    child.kill('SIGTERM');
    const [code] = (await withTimeout('directory exit', once(child, 'exit'), 10_000)) as [number];
    assert.equal(code, 0);
  });

  it('a routing ZooKeeper in Helix layout is read as Helix reads it: no key field = empty realm, no ZNRecord = skipped, invalid data refused', async () => {
    await direct.create(`${ROUTING_DATA_PATH}/${realm}`, encodeRealmRecord(realm, ['/helix-a', '/helix-b']), { createParents: true });
    const source = new ZkRoutingSource({ connect: realm, sessionTimeoutMs: 4_000 });
    try {
      assert.deepEqual((await source.read()).toRecord(), { [realm]: ['/helix-a', '/helix-b'] });
      await direct.create(`${ROUTING_DATA_PATH}/other:2181`, encodeRealmRecord('other:2181', ['/helix-a/x']));
      await assert.rejects(source.read(), (e: unknown) => e instanceof InvalidRoutingDataError && e.message.includes('/helix-a'));
      await direct.setData(`${ROUTING_DATA_PATH}/other:2181`, Buffer.from('{"id":"other:2181","simpleFields":{},"mapFields":{},"listFields":{}}'));
      assert.deepEqual((await source.read()).toRecord(), { [realm]: ['/helix-a', '/helix-b'], 'other:2181': [] }, 'a realm added without keys');
      await direct.setData(`${ROUTING_DATA_PATH}/other:2181`, Buffer.from('not json'));
      assert.deepEqual((await source.read()).toRecord(), { [realm]: ['/helix-a', '/helix-b'] }, 'skipped, as Helix skips it');
      await direct.setData(`${ROUTING_DATA_PATH}/other:2181`, gzipSync(encodeRealmRecord('other:2181', ['/gz'])));
      assert.deepEqual((await source.read()).toRecord(), { [realm]: ['/helix-a', '/helix-b'], 'other:2181': ['/gz'] }, 'a gzipped ZNRecord');
    } finally {
      await source.close();
    }
  });
});
