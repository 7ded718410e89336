/**
 * A store under test, shared by every run of one backend (each run uses a cluster of its own).
 * Network stores are reached by the nodes through proxies on the namespaces' store address, so
 * a node's link can be cut without touching the shared server.
 */
import type { Delay } from '../net/proxy.js';
import type { PrivateServer } from '../servers/private-server.js';
import type { Ensemble } from './ensemble.js';

export type BackendName = 'sqlite' | 'postgres' | 'mysql' | 'zookeeper' | 'etcd';
export const BACKENDS: readonly BackendName[] = ['sqlite', 'postgres', 'mysql', 'zookeeper', 'etcd'];

/** Releases what a fault took (a row lock). */
export type Release = () => Promise<void>;

export interface ChaosStore {
  readonly backend: BackendName;
  /** The nodes run in network namespaces (every store but SQLite). */
  readonly networked: boolean;
  /** The URL the nodes use. */
  readonly nodeUrl: string;
  /** The URL the controller uses (loopback, no proxy). */
  readonly adminUrl: string;
  /** Delays what one node address (`*`: every node) sends to and gets from the store; null ends it. */
  delay?(address: string, delay: Delay | null): void;
  /** Drops every client connection and refuses new ones (a restart, as clients see it). */
  resetConnections?(): void;
  restoreConnections?(): void;
  /** Holds a write lock on the cluster's lease rows from a foreign session. */
  lockLeaseRows?(cluster: string): Promise<Release>;
  /** The store's own server process, when the suite started it (`--fault server-restart`). */
  readonly server?: PrivateServer;
  /** The servers of a replicated store (ZooKeeper, etcd), for the ensemble faults. */
  readonly ensemble?: Ensemble;
  close(): Promise<void>;
}

/** The database a SQL store's nodes use: on the machine's shared server or on a private one. */
export interface StoreDatabase {
  readonly name: string;
  /** The server's port on 127.0.0.1 (what the proxy forwards to). */
  readonly port: number;
  /** The controller's URL of it (loopback, no proxy). */
  readonly url: string;
  readonly server?: PrivateServer;
  teardown(): Promise<void>;
}
