/**
 * ZooKeeper: a 3-server ensemble of the test fixture (each member under a uid of its own, so a
 * member can be cut from its peers), reached by the nodes through one proxy per member.
 */
import { startEnsemble } from '../../test/support/zookeeper-fixture.js';
import { StoreProxy } from '../net/proxy.js';
import type { ChaosStore } from './chaos-store.js';

export async function zookeeperStore(proxyHost: string): Promise<ChaosStore> {
  const ensemble = await startEnsemble(3, { ownUids: true });
  const proxies = await Promise.all(ensemble.servers.map((s) => StoreProxy.start(proxyHost, Number(s.connectString.split(':')[1]))));
  return {
    backend: 'zookeeper',
    networked: true,
    nodeUrl: `zookeeper://${proxies.map((p) => `${proxyHost}:${p.port}`).join(',')}`,
    adminUrl: `zookeeper://${ensemble.connectString}`,
    ensemble: {
      members: ensemble.servers.map((s) => ({
        name: `zk${s.id}`,
        stop: () => s.stop(),
        start: () => s.start(),
        isLeader: async () => (await s.mode()) === 'leader',
        cutFromPeers: () => s.cutFromPeers(),
      })),
      waitServing: (count) => ensemble.waitServing(count),
    },
    delay: (address, delay) => proxies.forEach((p) => p.delay(address, delay)),
    async close() {
      await Promise.all(proxies.map((p) => p.close()));
      await ensemble.close();
    },
  };
}
