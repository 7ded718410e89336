import { createEtcdBackend, EtcdClient, EtcdLayout, ETCD_METHODS } from '../../src/backends/etcd/index.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';
import { describeBackendContract } from './contract-suite.js';
import type { ContractHarness } from './harness.js';

let etcd: EtcdCluster | undefined;
let admin: EtcdClient | undefined;

function started(): { etcd: EtcdCluster; admin: EtcdClient } {
  if (!etcd || !admin) throw new Error('the etcd harness was not set up');
  return { etcd, admin };
}

const layout = (cluster: string) => new EtcdLayout('/baton', cluster);

/** The leader's candidate key of an election (lowest create revision), for planting faults. */
async function leaderKey(cluster: string, election: string): Promise<Buffer> {
  const prefix = layout(cluster).election(election);
  const response = await started().admin.unary(ETCD_METHODS.range, {
    key: Buffer.from(prefix),
    range_end: Buffer.from(`${prefix.slice(0, -1)}0`), // '/' + 1
    sort_order: 'ASCEND',
    sort_target: 'CREATE',
    limit: 1,
  });
  const kv = (response['kvs'] as Array<Record<string, unknown>>)[0];
  if (!kv) throw new Error(`election ${election} of ${cluster} has no leader to disturb`);
  return kv['key'] as Buffer;
}

async function putRaw(key: Buffer, text: string, lease?: unknown): Promise<void> {
  await started().admin.unary(ETCD_METHODS.put, { key, value: Buffer.from(text), ...(lease ? { lease } : {}) });
}

/** The lease a key is attached to (a raw rewrite must keep it, or the key would outlive its session). */
async function leaseOf(key: Buffer): Promise<unknown> {
  const response = await started().admin.unary(ETCD_METHODS.range, { key });
  return (response['kvs'] as Array<Record<string, unknown>>)[0]?.['lease'];
}

const harness: ContractHarness = {
  name: 'etcd',
  // Real clocks against a real member: leases of 4 s (whole seconds on etcd), the holder gives
  // up 2 s after the start of the last answered keep-alive, keep-alives every 400 ms.
  timing: Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 }),
  setup: async () => {
    etcd = await startEtcd();
    admin = new EtcdClient({ endpoints: etcd.endpoints });
  },
  open: (cluster) => createEtcdBackend({ endpoints: started().etcd.endpoints, cluster }),
  writeRawKv: async (cluster, key, text) => {
    await putRaw(Buffer.from(layout(cluster).kv(key)), text);
  },
  writeRawLeaderInfo: async (cluster, election, text) => {
    const key = await leaderKey(cluster, election);
    await putRaw(key, text, await leaseOf(key));
  },
  writeRawMemberInfo: async (cluster, nodeId, text) => {
    const key = Buffer.from(layout(cluster).member(nodeId));
    await putRaw(key, text, await leaseOf(key));
  },
  disturbLeader: async (cluster, election) => {
    await started().admin.unary(ETCD_METHODS.deleteRange, { key: await leaderKey(cluster, election) });
  },
  teardown: async () => {
    admin?.close();
    await etcd?.close();
  },
};

describeBackendContract(harness);
