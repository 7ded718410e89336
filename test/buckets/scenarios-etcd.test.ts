import { createEtcdBackend, EtcdClient, EtcdLayout, ETCD_METHODS } from '../../src/backends/etcd/index.js';
import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';
import { describeBucketScenarios } from './scenarios.js';

let etcd: EtcdCluster | undefined;
let admin: EtcdClient | undefined;

function started(): { etcd: EtcdCluster; admin: EtcdClient } {
  if (!etcd || !admin) throw new Error('the etcd harness was not set up');
  return { etcd, admin };
}

describeBucketScenarios({
  name: 'etcd',
  // Real clocks against a real member: leases of 4 s; the scenarios never wait for an expiry.
  timing: Object.freeze({ ttlMs: 4_000, renewDeadlineMs: 2_000, retryPeriodMs: 400, pollIntervalMs: 200 }),
  setup: async () => {
    etcd = await startEtcd();
    admin = new EtcdClient({ endpoints: etcd.endpoints });
  },
  open: (cluster) => createEtcdBackend({ endpoints: started().etcd.endpoints, cluster }),
  writeRawKv: async (cluster, key, text) => {
    await started().admin.unary(ETCD_METHODS.put, { key: Buffer.from(new EtcdLayout('/baton', cluster).kv(key)), value: Buffer.from(text) });
  },
  teardown: async () => {
    admin?.close();
    await etcd?.close();
  },
});
