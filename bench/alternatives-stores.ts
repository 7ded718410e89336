/**
 * The stores of `npm run bench -- alternatives`: a fresh SQLite file, PostgreSQL and MariaDB
 * database per row (election-stores.ts), one standalone ZooKeeper server for the whole run (the
 * test fixture), and the local Redis (127.0.0.1:6379; every row uses election names of its
 * own, so nothing needs clearing), and one etcd member for the whole run (the test fixture; every
 * row uses a key prefix and election names of its own).
 */
import { createBenchStore } from './election-stores.js';
import { startEtcd, type EtcdCluster } from '../test/support/etcd-fixture.js';
import { startStandalone, type StandaloneZooKeeper } from '../test/support/zookeeper-fixture.js';

export type StoreKind = 'sqlite' | 'postgres' | 'mysql' | 'zookeeper' | 'etcd' | 'redis';

/** One row's store, made fresh for it and dropped after it. */
export interface AlternativesStore {
  /** The store's TCP endpoint, when contenders reach it over TCP (each then gets a proxy). */
  readonly endpoint: { readonly host: string; readonly port: number } | undefined;
  /**
   * The address a contender is given, reaching the store at `port` (its proxy's), in the form
   * `style` asks for: a baton store URL, or the bare `host:port` the other libraries take.
   */
  address(port: number | undefined, style: 'url' | 'host-port'): string;
  drop(): Promise<void>;
}

const REDIS = { host: '127.0.0.1', port: 6379 };

/** Opens stores on demand; `close()` stops the ZooKeeper server and the etcd member if they were started. */
export class AlternativesStores {
  #zookeeper: Promise<StandaloneZooKeeper> | undefined;
  #etcd: Promise<EtcdCluster> | undefined;

  async create(kind: StoreKind, chroot: string): Promise<AlternativesStore> {
    if (kind === 'redis') return { endpoint: REDIS, address: (port) => `${REDIS.host}:${port ?? REDIS.port}`, drop: async () => undefined };
    if (kind === 'zookeeper') {
      this.#zookeeper ??= startStandalone();
      const [host, port] = (await this.#zookeeper).connectString.split(':') as [string, string];
      return {
        endpoint: { host, port: Number(port) },
        address: (proxyPort, style) => (style === 'url' ? `zookeeper://${host}:${proxyPort ?? port}/${chroot}` : `${host}:${proxyPort ?? port}`),
        drop: async () => undefined,
      };
    }
    if (kind === 'etcd') {
      this.#etcd ??= startEtcd();
      const port = (await this.#etcd).members[0]?.clientPort ?? 0;
      return {
        endpoint: { host: '127.0.0.1', port },
        address: (proxyPort, style) => (style === 'url' ? `etcd://127.0.0.1:${proxyPort ?? port}/${chroot}` : `127.0.0.1:${proxyPort ?? port}`),
        drop: async () => undefined,
      };
    }
    const store = await createBenchStore(kind);
    if (kind === 'sqlite') return { endpoint: undefined, address: () => store.url, drop: () => store.drop() };
    const url = new URL(store.url);
    return {
      endpoint: { host: url.hostname, port: Number(url.port) },
      address(proxyPort) {
        const through = new URL(store.url);
        if (proxyPort !== undefined) through.port = String(proxyPort);
        return through.toString();
      },
      drop: () => store.drop(),
    };
  }

  async close(): Promise<void> {
    await (await this.#zookeeper)?.close();
    await (await this.#etcd)?.close();
  }
}
