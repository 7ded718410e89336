/** Opens the store of one backend for a chaos run. */
import type { BackendName, ChaosStore } from './chaos-store.js';
import { etcdStore } from './etcd-store.js';
import { mysqlStore } from './mysql-store.js';
import { postgresStore } from './postgres-store.js';
import { sqliteStore } from './sqlite-store.js';
import { zookeeperStore } from './zookeeper-store.js';

export function openChaosStore(backend: BackendName, proxyHost: string): Promise<ChaosStore> {
  switch (backend) {
    case 'sqlite':
      return sqliteStore();
    case 'postgres':
      return postgresStore(proxyHost);
    case 'mysql':
      return mysqlStore(proxyHost);
    case 'zookeeper':
      return zookeeperStore(proxyHost);
    case 'etcd':
      return etcdStore(proxyHost);
  }
}
