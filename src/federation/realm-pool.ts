/**
 * One ZooKeeper client per realm, opened on first use. Concurrent first uses share one connect;
 * a failed connect is forgotten so the next call tries again; a client whose session ended
 * (expired) is dropped and replaced on next use; realms dropped from the routing are closed.
 */
import type { CallOptions } from '../contract/contract.js';
import { ClosedError } from '../errors.js';
import type { ZkClient } from '../zk-client/zk-client.js';

/** Opens a client for a realm (its name is its connect string unless the caller maps it). */
export type RealmConnector = (realm: string, options: CallOptions) => Promise<ZkClient>;

export class RealmPool {
  readonly #connect: RealmConnector;
  /** Connected clients, for the synchronous fast path. */
  readonly #ready = new Map<string, ZkClient>();
  /** Connects in flight. */
  readonly #connecting = new Map<string, Promise<ZkClient>>();
  /** Per realm, bumped when it is closed, so a connect that started before lands closed. */
  readonly #epochs = new Map<string, number>();
  #closed = false;

  constructor(connect: RealmConnector) {
    this.#connect = connect;
  }

  /** Realms with an open client, sorted. */
  get connectedRealms(): string[] {
    return [...this.#ready.keys()].sort();
  }

  /** The realm's client if it is connected already (no I/O). */
  ready(realm: string): ZkClient | undefined {
    return this.#ready.get(realm);
  }

  /** The realm's client, connecting it first if needed. */
  get(realm: string, options: CallOptions = {}): Promise<ZkClient> {
    if (this.#closed) return Promise.reject(new ClosedError('federated ZooKeeper client'));
    const ready = this.#ready.get(realm);
    if (ready) return Promise.resolve(ready);
    let pending = this.#connecting.get(realm);
    if (!pending) {
      pending = this.#open(realm, options);
      this.#connecting.set(realm, pending);
    }
    return pending;
  }

  /**
   * Steps: 1. connect; 2. if the pool was closed or the realm dropped meanwhile, close the new
   * client; 3. else publish it and drop it again when its session ends.
   */
  async #open(realm: string, options: CallOptions): Promise<ZkClient> {
    const epoch = this.#epochs.get(realm) ?? 0;
    try {
      const client = await this.#connect(realm, options);
      if (this.#closed || epoch !== (this.#epochs.get(realm) ?? 0)) {
        await client.close();
        throw new ClosedError(`realm "${realm}" of the federated ZooKeeper client`);
      }
      this.#ready.set(realm, client);
      client.ended.addEventListener('abort', () => {
        if (this.#ready.get(realm) === client) this.#ready.delete(realm);
      }, { once: true });
      return client;
    } finally {
      if (epoch === (this.#epochs.get(realm) ?? 0)) this.#connecting.delete(realm);
    }
  }

  /** Closes the realm's client, if any (a connect in flight is closed when it lands). */
  async closeRealm(realm: string): Promise<void> {
    this.#epochs.set(realm, (this.#epochs.get(realm) ?? 0) + 1);
    this.#connecting.delete(realm);
    const client = this.#ready.get(realm);
    this.#ready.delete(realm);
    await client?.close();
  }

  /** Closes every client; later `get` calls reject with ClosedError. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const clients = [...this.#ready.values()];
    this.#ready.clear();
    this.#connecting.clear();
    await Promise.all(clients.map((client) => client.close()));
  }
}
