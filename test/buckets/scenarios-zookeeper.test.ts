import { createZookeeperBackend, ZkClient, ZkLayout } from '../../src/backends/zookeeper/index.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { describeBucketScenarios } from './scenarios.js';

let server: StandaloneZooKeeper | undefined;
let admin: ZkClient | undefined;

function started(): { server: StandaloneZooKeeper; admin: ZkClient } {
  if (!server || !admin) throw new Error('the ZooKeeper harness was not set up');
  return { server, admin };
}

describeBucketScenarios({
  name: 'zookeeper',
  // Real clocks against a real server: sessions of 4 s; the scenarios never wait for an expiry.
  timing: Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 }),
  setup: async () => {
    server = await startStandalone();
    admin = await ZkClient.connect({ connect: server.connectString, sessionTimeoutMs: 10_000 });
  },
  open: (cluster) => createZookeeperBackend({ connect: started().server.connectString, cluster }),
  writeRawKv: async (cluster, key, text) => {
    const path = new ZkLayout(cluster).kvPath(key);
    if (await started().admin.exists(path)) await started().admin.setData(path, Buffer.from(text));
    else await started().admin.create(path, Buffer.from(text), { createParents: true });
  },
  teardown: async () => {
    await admin?.close();
    await server?.close();
  },
});
