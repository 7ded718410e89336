/**
 * Routing data read straight from a routing ZooKeeper in Helix's layout (see
 * zk-routing-layout.ts), as Helix's zookeeper-api `ZkRoutingDataReader` reads it. The session is
 * opened on the first read and kept for later refreshes.
 */
import type { CallOptions } from '../contract/contract.js';
import { CorruptDocumentError } from '../errors.js';
import type { ZkAcl } from '../zk-client/zk-acl.js';
import { ZkClient } from '../zk-client/zk-client.js';
import type { RoutingData } from './routing-data.js';
import type { RoutingSource } from './routing-source.js';
import { ROUTING_DATA_PATH, readRoutingZnodes } from './zk-routing-layout.js';

/**
 * Session timeout for the routing ZooKeeper, ms. The source only reads on refreshes, so the
 * value only bounds how long a dead connection goes unnoticed.
 */
export const DEFAULT_ROUTING_ZK_SESSION_TIMEOUT_MS = 30_000;

export interface ZkRoutingSourceOptions {
  /** The routing ZooKeeper's connect string. */
  readonly connect: string;
  /** Where the realm znodes live (default `/METADATA_STORE_ROUTING_DATA`). */
  readonly path?: string;
  /** See {@link DEFAULT_ROUTING_ZK_SESSION_TIMEOUT_MS}. */
  readonly sessionTimeoutMs?: number;
  /** Digest credentials, for a routing ZooKeeper whose znodes are not world-readable. */
  readonly acl?: ZkAcl;
}

export class ZkRoutingSource implements RoutingSource {
  readonly description: string;
  readonly #options: ZkRoutingSourceOptions;
  readonly #path: string;
  #client: Promise<ZkClient> | undefined;

  constructor(options: ZkRoutingSourceOptions) {
    this.#options = options;
    this.#path = options.path ?? ROUTING_DATA_PATH;
    this.description = `routing ZooKeeper ${options.connect} ${this.#path}`;
  }

  async read(options: CallOptions = {}): Promise<RoutingData> {
    const client = await this.#connect(options);
    const found = await readRoutingZnodes(client, this.#path, options);
    if (!found) throw new CorruptDocumentError(this.#path, `no routing data at ${this.description}`);
    for (const { path, reason } of found.skipped) {
      // Helix's reader skips such a realm too; say so once per read instead of failing the client.
      process.emitWarning(`realm znode ${path} skipped: ${reason}`, 'BatonRoutingWarning');
    }
    return found.data;
  }

  async close(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    const client = await pending?.catch(() => undefined);
    await client?.close();
  }

  /** One session, reconnected when the previous one failed to open or ended. */
  async #connect(options: CallOptions): Promise<ZkClient> {
    const current = this.#client ? await this.#client.catch(() => undefined) : undefined;
    if (current && !current.ended.aborted) return current;
    this.#client = ZkClient.connect(
      {
        connect: this.#options.connect,
        sessionTimeoutMs: this.#options.sessionTimeoutMs ?? DEFAULT_ROUTING_ZK_SESSION_TIMEOUT_MS,
        ...(this.#options.acl === undefined ? {} : { acl: this.#options.acl }),
      },
      options,
    );
    return this.#client;
  }
}
