/**
 * `baton status|leader --amoro` on a ZooKeeper laid out as Amoro's AMS lays it out (paths of
 * AmsHAProperties, a Curator LeaderLatch under `leader`, AmsServerInfo JSON in `master` and
 * `optimizing-service-master`, master-slave registrations under `nodes`), each AMS played by one
 * ZooKeeper session. A leader change is seen at once, and addresses a dead leader left behind
 * are not shown as the new leader's.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { ZkClient } from '../../src/zk-client/zk-client.js';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo } from '../support/capture-io.js';

const BASE = '/default/amoro/ams';
const info = (host: string, thrift: number) => Buffer.from(JSON.stringify({ host, restBindPort: 1630, thriftBindPort: thrift }));


describe('an Amoro cluster\'s HA state in ZooKeeper, read by "baton status|leader --amoro"', () => {
  let zk: StandaloneZooKeeper;
  let admin: ZkClient;
  const ams: ZkClient[] = [];
  let store: string;

  before(async () => {
    zk = await startStandalone();
    store = `zookeeper://${zk.connectString}`;
    admin = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: 4_000 });
    for (const path of ['leader', 'master', 'optimizing-service-master', 'nodes']) await admin.mkdirs(`${BASE}/${path}`);
    // Two AMS: each joins the latch (Curator's protected name) and registers, from its own session.
    for (const host of ['10.0.0.1', '10.0.0.2']) {
      const client = await ZkClient.connect({ connect: zk.connectString, sessionTimeoutMs: 4_000 });
      ams.push(client);
      await client.create(`${BASE}/leader/_c_${host.replaceAll('.', '')}-latch-`, Buffer.alloc(0), { mode: 'ephemeral_sequential' });
      await client.create(`${BASE}/nodes/node-`, info(host, 1261), { mode: 'ephemeral_sequential' });
    }
    // The leader (the first) publishes its addresses, as ZkHighAvailabilityContainer.isLeader does.
    await ams[0]?.setData(`${BASE}/master`, info('10.0.0.1', 1260));
    await ams[0]?.setData(`${BASE}/optimizing-service-master`, info('10.0.0.1', 1261));
  });
  after(async () => {
    await Promise.all(ams.map((c) => c.close()));
    await admin?.close();
    await zk?.close();
  });

  const status = async () => {
    const io = captureIo();
    assert.equal(await runCli(['status', '--amoro', '--store', store, '--json'], io), 0, io.stderr.join('\n'));
    return JSON.parse(io.stdout.join('')) as { source: string; candidates: number; leader: Record<string, unknown> | null; nodes: { key: string; info: { host: string } }[] };
  };

  it('shows the latch leader with the addresses it published, the candidates and the registered nodes', async () => {
    const view = await status();
    assert.equal(view.source, 'zookeeper');
    assert.equal(view.candidates, 2);
    assert.match(String(view.leader?.['nodeId']), /^_c_10001-latch-\d{10}$/);
    assert.equal(view.leader?.['session'], ams[0]?.sessionId);
    assert.deepEqual(view.leader?.['tableService'], { host: '10.0.0.1', thriftBindPort: 1260, restBindPort: 1630 });
    assert.deepEqual(view.nodes.map((n) => n.info.host), ['10.0.0.1', '10.0.0.2']);
    const leader = captureIo();
    assert.equal(await runCli(['leader', '--amoro', '--store', store], leader), 0);
    assert.match(leader.stdout.join(''), /^table service 10\.0\.0\.1:1260\s+optimizing service 10\.0\.0\.1:1261/);
  });

  it('after the leader dies, the next candidate leads; the dead leader\'s addresses are not shown as its own until it publishes', async () => {
    await ams[0]?.close();
    const view = await status();
    assert.equal(view.candidates, 1);
    assert.equal(view.leader?.['session'], ams[1]?.sessionId);
    assert.equal(view.leader?.['tableService'], null, 'the master znode still names 10.0.0.1');
    await ams[1]?.setData(`${BASE}/master`, info('10.0.0.2', 1260));
    await ams[1]?.setData(`${BASE}/optimizing-service-master`, info('10.0.0.2', 1261));
    assert.deepEqual((await status()).leader?.['tableService'], { host: '10.0.0.2', thriftBindPort: 1260, restBindPort: 1630 });
  });

  it('an unknown Amoro cluster is an error naming the path; --watch is refused for Amoro', async () => {
    const io = captureIo();
    assert.equal(await runCli(['leader', '--amoro-cluster', 'nope', '--store', store], io), 1);
    assert.match(io.stderr.join(''), /no Amoro HA state at \/nope\/amoro\/ams\/leader/);
    assert.equal(await runCli(['leader', '--amoro', '--watch', '--store', store], captureIo()), 2);
  });
});
