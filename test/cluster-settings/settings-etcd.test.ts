import { describeSharedSettings } from './settings-suite.js';
import { startEtcd } from '../support/etcd-fixture.js';

describeSharedSettings('etcd', async () => {
  const etcd = await startEtcd();
  return { url: etcd.url(), teardown: () => etcd.close() };
});
