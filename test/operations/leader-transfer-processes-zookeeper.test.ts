import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { describeTransferProcesses } from './leader-transfer-processes.js';

let zk: StandaloneZooKeeper | undefined;
describeTransferProcesses({
  name: 'ZooKeeper',
  async setup() {
    zk = await startStandalone();
    return `zookeeper://${zk.connectString}`;
  },
  async teardown() {
    await zk?.close();
  },
});
