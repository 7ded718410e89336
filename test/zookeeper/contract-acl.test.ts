/**
 * The backend contract suite once more on ZooKeeper, with digest ACLs on: every connection
 * authenticates and every znode is created writable only with the credentials. The harness's
 * own client (which plants faults) authenticates too; a client without them is refused (see
 * acl.test.ts).
 */
import { createZookeeperBackend, ZkClient, ZkDigest, ZkLayout, type ZkAcl } from '../../src/backends/zookeeper/index.js';
import { sortCandidates } from '../../src/backends/zookeeper/zk-layout.js';
import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { describeBackendContract } from '../contract/contract-suite.js';
import type { ContractHarness } from '../contract/harness.js';

const ACL: ZkAcl = { digest: ZkDigest.parse('baton:contract-secret', 'the test') };
/** Every cluster of the suite lives under this chroot, which the backends create with the ACL. */
const CHROOT = '/locked';

let server: StandaloneZooKeeper | undefined;
let admin: ZkClient | undefined;

function started(): { server: StandaloneZooKeeper; admin: ZkClient } {
  if (!server || !admin) throw new Error('the ZooKeeper harness was not set up');
  return { server, admin };
}

/** The lowest candidate znode of an election (the leader's), for planting faults. */
async function leaderZnode(cluster: string, election: string): Promise<string> {
  const dir = `${CHROOT}${new ZkLayout(cluster).election(election)}`;
  const [lowest] = sortCandidates(await started().admin.getChildren(dir));
  if (lowest === undefined) throw new Error(`election ${election} of ${cluster} has no leader to disturb`);
  return `${dir}/${lowest}`;
}

const harness: ContractHarness = {
  name: 'zookeeper with digest ACLs',
  // As in test/contract/zookeeper.test.ts: sessions of 4 s, give up 2 s after the last answer.
  timing: Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 }),
  setup: async () => {
    server = await startStandalone();
    admin = await ZkClient.connect({ connect: server.connectString, sessionTimeoutMs: 10_000, acl: ACL });
  },
  open: (cluster) => createZookeeperBackend({ connect: started().server.connectString, chroot: CHROOT, cluster, acl: ACL }),
  writeRawKv: async (cluster, key, text) => {
    await started().admin.create(`${CHROOT}${new ZkLayout(cluster).kvPath(key)}`, Buffer.from(text), { createParents: true });
  },
  writeRawLeaderInfo: async (cluster, election, text) => {
    await started().admin.setData(await leaderZnode(cluster, election), Buffer.from(text));
  },
  writeRawMemberInfo: async (cluster, nodeId, text) => {
    await started().admin.setData(`${CHROOT}${new ZkLayout(cluster).member(nodeId)}`, Buffer.from(text));
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
