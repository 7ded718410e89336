import { describeSharedSettings } from './settings-suite.js';
import { startStandalone } from '../support/zookeeper-fixture.js';

describeSharedSettings('zookeeper', async () => {
  const zk = await startStandalone();
  return { url: `zookeeper://${zk.connectString}`, teardown: () => zk.close() };
});
