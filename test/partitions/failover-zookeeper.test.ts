import { startStandalone } from '../support/zookeeper-fixture.js';
import { failoverSuite } from './failover-scenario.js';

failoverSuite('ZooKeeper', async () => {
  const server = await startStandalone();
  return { url: `zookeeper://${server.connectString}`, teardown: () => server.close() };
});
