import { startEtcd, type EtcdCluster } from '../support/etcd-fixture.js';
import { describeThreeNodes } from './three-nodes.js';

let etcd: EtcdCluster | undefined;
describeThreeNodes({
  name: 'etcd',
  async setup() {
    etcd = await startEtcd();
    return etcd.url();
  },
  async teardown() {
    await etcd?.close();
  },
});
