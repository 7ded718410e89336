import { createZookeeperBackend, ZkClient, ZkLayout } from '../../src/backends/zookeeper/index.js';
import { sortCandidates } from '../../src/backends/zookeeper/zk-layout.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { describeBackendContract } from './contract-suite.js';
import type { ContractHarness } from './harness.js';

let server: StandaloneZooKeeper | undefined;
let admin: ZkClient | undefined;

function started(): { server: StandaloneZooKeeper; admin: ZkClient } {
  if (!server || !admin) throw new Error('the ZooKeeper harness was not set up');
  return { server, admin };
}

/** The lowest candidate znode of an election (the leader's), for planting faults. */
async function leaderZnode(cluster: string, election: string): Promise<string> {
  const dir = new ZkLayout(cluster).election(election);
  const [lowest] = sortCandidates(await started().admin.getChildren(dir));
  if (lowest === undefined) throw new Error(`election ${election} of ${cluster} has no leader to disturb`);
  return `${dir}/${lowest}`;
}

const harness: ContractHarness = {
  name: 'zookeeper',
  // Real clocks against a real server (tick 250 ms): sessions of 4 s, the holder gives up 2 s
  // after the server last answered, probes every 400 ms.
  timing: Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 }),
  setup: async () => {
    server = await startStandalone();
    admin = await ZkClient.connect({ connect: server.connectString, sessionTimeoutMs: 10_000 });
  },
  open: (cluster) => createZookeeperBackend({ connect: started().server.connectString, cluster }),
  writeRawKv: async (cluster, key, text) => {
    const path = new ZkLayout(cluster).kvPath(key);
    await started().admin.create(path, Buffer.from(text), { createParents: true });
  },
  writeRawLeaderInfo: async (cluster, election, text) => {
    await started().admin.setData(await leaderZnode(cluster, election), Buffer.from(text));
  },
  writeRawMemberInfo: async (cluster, nodeId, text) => {
    await started().admin.setData(new ZkLayout(cluster).member(nodeId), Buffer.from(text));
  },
  disturbLeader: async (cluster, election) => {
    await started().admin.delete(await leaderZnode(cluster, election));
  },
  teardown: async () => {
    await admin?.close();
    await server?.close();
  },
};

describeBackendContract(harness);
