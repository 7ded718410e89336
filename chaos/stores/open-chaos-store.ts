/** Opens the store of one backend for a chaos run. */
import type { BackendName, ChaosStore } from './chaos-store.js';
import { etcdStore } from './etcd-store.js';
import { mysqlStore } from './mysql-store.js';
import { postgresStore } from './postgres-store.js';
import { sqliteStore } from './sqlite-store.js';
import { zookeeperStore } from './zookeeper-store.js';

/** The backends whose server the suite can start privately (for faults that restart it). */
export const PRIVATE_SERVER_BACKENDS: readonly BackendName[] = ['postgres', 'mysql'];

/** `privateServer`: on a server of the suite's own instead of the machine's shared one (SQL stores). */
export function openChaosStore(backend: BackendName, proxyHost: string, privateServer = false): Promise<ChaosStore> {
  switch (backend) {
    case 'sqlite':
      return sqliteStore();
    case 'postgres':
      return postgresStore(proxyHost, privateServer);
    case 'mysql':
      return mysqlStore(proxyHost, privateServer);
    case 'zookeeper':
      return zookeeperStore(proxyHost);
    case 'etcd':
      return etcdStore(proxyHost);
  }
}
