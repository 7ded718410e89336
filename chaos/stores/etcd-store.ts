/**
 * etcd: a 3-member cluster of the test fixture (each member under a uid of its own, so a member
 * can be cut from its peers), reached by the nodes through one proxy per member.
 */
import { startEtcdCluster } from '../../test/support/etcd-fixture.js';
import { StoreProxy } from '../net/proxy.js';
import type { ChaosStore } from './chaos-store.js';

const PREFIX = '/baton-chaos';

export async function etcdStore(proxyHost: string): Promise<ChaosStore> {
  const cluster = await startEtcdCluster(3, { ownUids: true });
  const proxies = await Promise.all(cluster.members.map((m) => StoreProxy.start(proxyHost, m.clientPort)));
  return {
    backend: 'etcd',
    networked: true,
    nodeUrl: `etcd://${proxies.map((p) => `${proxyHost}:${p.port}`).join(',')}${PREFIX}`,
    adminUrl: cluster.url(PREFIX),
    ensemble: {
      members: cluster.members.map((m) => ({
        name: `etcd-${m.name}`,
        stop: () => m.stop(),
        start: () => m.start(),
        isLeader: () => m.isLeader(),
        cutFromPeers: () => m.cutFromPeers(),
      })),
      waitServing: (count) => cluster.waitHealthy(count),
    },
    delay: (address, delay) => proxies.forEach((p) => p.delay(address, delay)),
    async close() {
      await Promise.all(proxies.map((p) => p.close()));
      await cluster.close();
    },
  };
}
