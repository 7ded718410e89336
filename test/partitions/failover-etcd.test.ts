import { startEtcd } from '../support/etcd-fixture.js';
import { failoverSuite } from './failover-scenario.js';

failoverSuite('etcd', async () => {
  const etcd = await startEtcd();
  return { url: etcd.url(), teardown: () => etcd.close() };
});
