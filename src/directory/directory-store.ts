/**
 * Where the directory service keeps routing data, one document per namespace, with a version
 * for compare-and-set. The ZooKeeper store is the real one; the memory store serves unit tests.
 */
import type { CallOptions } from '../backend/contract.js';
import { InvalidArgumentError, VersionConflictError } from '../errors.js';
import { RoutingData } from '../federation/routing-data.js';

/** A namespace's routing data and the version a write must name to replace it. */
export interface RoutingSnapshot {
  readonly data: RoutingData;
  /** Increases on every write of the namespace. */
  readonly version: number;
}

export interface DirectoryStore {
  /** Namespace names, sorted. */
  namespaces(options?: CallOptions): Promise<string[]>;
  /** The namespace's routing data, or null when the namespace does not exist. */
  read(namespace: string, options?: CallOptions): Promise<RoutingSnapshot | null>;
  /**
   * Replaces the namespace's routing data if its version is still `expectVersion` (null: the
   * namespace must not exist yet). Rejects with VersionConflictError otherwise.
   */
  write(namespace: string, data: RoutingData, expectVersion: number | null, options?: CallOptions): Promise<void>;
  close(): Promise<void>;
}

const NAMESPACE = /^[A-Za-z0-9._-]{1,128}$/;

/** Returns `namespace` if valid (1-128 letters, digits, `.`, `_`, `-`; not `.` or `..`). */
export function validateNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace) || namespace === '.' || namespace === '..') {
    throw new InvalidArgumentError(`namespace "${namespace}" is invalid: use 1-128 letters, digits, ".", "_" or "-"`);
  }
  return namespace;
}

/** An in-process store (unit tests, demos). Versions behave like the ZooKeeper store's. */
export class MemoryDirectoryStore implements DirectoryStore {
  readonly #namespaces = new Map<string, RoutingSnapshot>();

  async namespaces(): Promise<string[]> {
    return [...this.#namespaces.keys()].sort();
  }

  async read(namespace: string): Promise<RoutingSnapshot | null> {
    return this.#namespaces.get(namespace) ?? null;
  }

  async write(namespace: string, data: RoutingData, expectVersion: number | null): Promise<void> {
    const current = this.#namespaces.get(namespace);
    const actual = current?.version ?? null;
    if (actual !== expectVersion) throw new VersionConflictError(`namespace ${namespace}`, expectVersion, actual);
    this.#namespaces.set(namespace, { data, version: (actual ?? -1) + 1 });
  }

  async close(): Promise<void> {}
}

/** An empty namespace's routing data (no realms yet). */
export const EMPTY_ROUTING = RoutingData.from({}, { allowNoKeys: true });
