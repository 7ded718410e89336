/**
 * Every change to a namespace's routing data, as read-validate-compare-and-set: the edit is
 * applied to the latest stored data, the result is validated by the shared routing module, and
 * written only if nobody wrote in between; on a conflict the whole cycle runs again on the
 * newer data. Two concurrent writers therefore never lose each other's update.
 */
import type { CallOptions } from '../backend/contract.js';
import { AbortedError, NotFoundError, VersionConflictError, isBatonError } from '../errors.js';
import { RoutingData, type RoutingRecord } from '../federation/routing-data.js';
import { validateRealmName, validateShardingKey } from '../federation/sharding-key.js';
import { EMPTY_ROUTING, validateNamespace, type DirectoryStore } from './directory-store.js';

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

  /** Removes a realm and its keys; NotFoundError when there is no such realm. */
  removeRealm(namespace: string, realm: string, options?: CallOptions): Promise<RoutingData> {
    return this.#update(namespace, (current) => {
      if (!Object.hasOwn(current, realm)) throw noRealm(namespace, realm);
      const { [realm]: _removed, ...rest } = current;
      return rest;
    }, options);
  }

  /** Adds a key to a realm (creating the realm); adding a key the realm has already is a no-op. */
  addShardingKey(namespace: string, realm: string, key: string, options?: CallOptions): Promise<RoutingData> {
    validateRealmName(realm);
    validateShardingKey(key);
    return this.#update(namespace, (current) => {
      // The new key goes last, so a conflict is reported against the key already there.
      const { [realm]: keys = [], ...others } = current;
      return { ...others, [realm]: keys.includes(key) ? keys : [...keys, key] };
    }, options);
  }

  /** Removes a key from a realm; NotFoundError when the realm or the key is not there. */
  removeShardingKey(namespace: string, realm: string, key: string, options?: CallOptions): Promise<RoutingData> {
    return this.#update(namespace, (current) => {
      const keys = current[realm];
      if (keys === undefined) throw noRealm(namespace, realm);
      if (!keys.includes(key)) throw new NotFoundError(key, `realm "${realm}" of namespace "${namespace}" has no sharding key "${key}"`);
      return { ...current, [realm]: keys.filter((k) => k !== key) };
    }, options);
  }

  /** Replaces the whole routing data of the namespace (it must hold at least one key). */
  setRoutingData(namespace: string, routing: RoutingData, options?: CallOptions): Promise<RoutingData> {
    return this.#update(namespace, () => routing.toRecord(), options);
  }

  /**
   * Steps: 1. read the namespace (absent = empty); 2. apply the edit and validate the result;
   * 3. write it naming the version read; 4. on VersionConflictError go back to 1.
   */
  async #update(namespace: string, edit: Edit, options: CallOptions = {}): Promise<RoutingData> {
    validateNamespace(namespace);
    let lastConflict: unknown;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      if (options.signal?.aborted) throw new AbortedError('routing data update', options.signal.reason);
      const snapshot = await this.#store.read(namespace, options);
      const current = (snapshot?.data ?? EMPTY_ROUTING).toRecord();
      const next = RoutingData.from(edit(current), { allowNoKeys: true });
      if (snapshot && next.equals(snapshot.data)) return snapshot.data;
      try {
        await this.#store.write(namespace, next, snapshot?.version ?? null, options);
        return next;
      } catch (error) {
        if (!isBatonError(error, 'VERSION_CONFLICT')) throw error;
        lastConflict = error;
      }
    }
    throw lastConflict instanceof VersionConflictError ? lastConflict : new VersionConflictError(`namespace ${namespace}`, null, null);
  }
}

function noRealm(namespace: string, realm: string): NotFoundError {
  return new NotFoundError(realm, `namespace "${namespace}" has no realm "${realm}"`);
}
