import { startStandalone, type StandaloneZooKeeper } from '../support/zookeeper-fixture.js';
import { describeThreeNodes } from './three-nodes.js';

let zk: StandaloneZooKeeper | undefined;
describeThreeNodes({
  name: 'ZooKeeper',
  async setup() {
    zk = await startStandalone();
    return `zookeeper://${zk.connectString}`;
  },
  async teardown() {
    await zk?.close();
  },
});
