import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { describeLeaderTransfer } from './leader-transfer-suite.js';

let zk: StandaloneZooKeeper | undefined;
describeLeaderTransfer({
  name: 'ZooKeeper',
  async setup() {
    zk = await startStandalone();
    return `zookeeper://${zk.connectString}`;
  },
  async teardown() {
    await zk?.close();
  },
});
