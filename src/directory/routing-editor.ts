/**
 * Every change to a namespace's routing data, as read-validate-compare-and-set: the edit is
 * applied to the latest stored data, the result is validated by the shared routing module, and
 * written only if nobody wrote in between; on a conflict the whole cycle runs again on the
 * newer data. Two concurrent writers therefore never lose each other's update.
 *
 * Every edit is idempotent, as in Helix's directory (helix-rest `ZkMetadataStoreDirectory` and
 * `ZkRoutingDataWriter`): adding a realm or a key that is there already, and removing a realm or
 * a key that is not, succeed and change nothing.
 */
import type { CallOptions } from '../contract/contract.js';
import { AbortedError, VersionConflictError, isBatonError } from '../errors.js';
import { RoutingData, type RoutingRecord } from '../federation/routing-data.js';
import { validateRealmName, validateShardingKey } from '../federation/sharding-key.js';
import type { DirectoryStore } from './directory-store.js';

/**
 * How many read-validate-write cycles one change may take before giving up with
 * VersionConflictError. Each conflict means another write landed, so 32 cycles only run out
 * under a write storm on one namespace, which a routing directory never sees.
 */
export const MAX_WRITE_ATTEMPTS = 32;

/** Turns the current data (as a plain record) into the wanted data; throws to refuse. */
type Edit = (current: Record<string, string[]>) => RoutingRecord;

export class RoutingEditor {
  readonly #store: DirectoryStore;

  constructor(store: DirectoryStore) {
    this.#store = store;
  }

  /** Adds an empty realm; a realm that exists already is left as it is. */
  addRealm(namespace: string, realm: string, options?: CallOptions): Promise<RoutingData> {
    validateRealmName(realm);
    return this.#update(namespace, (current) => ({ ...current, [realm]: current[realm] ?? [] }), options);
  }

  /** Removes a realm and its keys; a realm that is not there is left absent. */
  removeRealm(namespace: string, realm: string, options?: CallOptions): Promise<RoutingData> {
    return this.#update(namespace, (current) => {
      const { [realm]: _removed, ...rest } = current;
      return rest;
    }, options);
  }

  /**
   * Adds a key to a realm (creating the realm); adding a key the realm has already is a no-op,
   * a key of another realm or nested with another key is refused (InvalidRoutingDataError).
   */
  addShardingKey(namespace: string, realm: string, key: string, options?: CallOptions): Promise<RoutingData> {
    validateRealmName(realm);
    validateShardingKey(key);
    return this.#update(namespace, (current) => {
      // The new key goes last, so a conflict is reported against the key already there.
      const { [realm]: keys = [], ...others } = current;
      return { ...others, [realm]: keys.includes(key) ? keys : [...keys, key] };
    }, options);
  }

  /** Removes a key from a realm; a realm or key that is not there is left as it is. */
  removeShardingKey(namespace: string, realm: string, key: string, options?: CallOptions): Promise<RoutingData> {
    validateShardingKey(key);
    return this.#update(namespace, (current) => {
      const keys = current[realm];
      if (keys === undefined || !keys.includes(key)) return current;
      return { ...current, [realm]: keys.filter((k) => k !== key) };
    }, options);
  }

  /** Replaces the whole routing data of the namespace (Helix allows one without keys). */
  setRoutingData(namespace: string, routing: RoutingData, options?: CallOptions): Promise<RoutingData> {
    return this.#update(namespace, () => routing.toRecord(), options);
  }

  /**
   * Steps: 1. read the namespace (NotFoundError when it is not configured); 2. apply the edit
   * and validate the result; nothing changed: done; 3. write it naming the version read; 4. on
   * VersionConflictError go back to 1.
   */
  async #update(namespace: string, edit: Edit, options: CallOptions = {}): Promise<RoutingData> {
    let lastConflict: unknown;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      if (options.signal?.aborted) throw new AbortedError('routing data update', options.signal.reason);
      const snapshot = await this.#store.read(namespace, options);
      const next = RoutingData.from(edit(snapshot.data.toRecord()), { allowNoKeys: true });
      if (next.equals(snapshot.data)) return snapshot.data;
      try {
        await this.#store.write(namespace, next, snapshot.version, options);
        return next;
      } catch (error) {
        if (!isBatonError(error, 'VERSION_CONFLICT')) throw error;
        lastConflict = error;
      }
    }
    throw lastConflict instanceof VersionConflictError ? lastConflict : new VersionConflictError(`namespace ${namespace}`, null, null);
  }
}
