import { startStandalone } from '../support/zookeeper-fixture.js';
import { failoverSuite } from './failover-scenario.js';

failoverSuite(
  'ZooKeeper',
  async () => {
    const server = await startStandalone();
    return { url: `zookeeper://${server.connectString}`, teardown: () => server.close() };
  },
  // zk-campaign.ts: a campaign aborted while its `create(n_, ephemeral_sequential)` is in flight
  // leaves the candidate znode behind (the create lands, its name is never learnt, so it is never
  // deleted); it then blocks that election until the session ends. Partition placement changes
  // abort campaigns at start-up, so a partition sometimes stays leaderless here.
  'known ZooKeeper backend bug: an aborted campaign can leave its candidate znode behind',
);
