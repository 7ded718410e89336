/**
 * Where the directory service keeps routing data, one document per namespace, with a version
 * for compare-and-set. Namespaces exist by configuration, as in Helix REST (one servlet per
 * configured namespace): a namespace not configured is refused, never created by a write. The
 * ZooKeeper store is the real one; the memory store serves unit tests.
 */
import type { CallOptions } from '../contract/contract.js';
import { InvalidArgumentError, NotFoundError, VersionConflictError } from '../errors.js';
import { RoutingData } from '../federation/routing-data.js';

/** A namespace's routing data and the version a write must name to replace it. */
export interface RoutingSnapshot {
  readonly data: RoutingData;
  /** Increases on every write of the namespace; null while its layout does not exist yet. */
  readonly version: number | null;
}

export interface DirectoryStore {
  /** The configured namespace names, sorted. */
  namespaces(): readonly string[];
  /** The namespace's routing data; NotFoundError when the namespace is not configured. */
  read(namespace: string, options?: CallOptions): Promise<RoutingSnapshot>;
  /**
   * Replaces the namespace's routing data if its version is still `expectVersion` (null: the
   * layout must not exist yet). Rejects with VersionConflictError otherwise.
   */
  write(namespace: string, data: RoutingData, expectVersion: number | null, options?: CallOptions): Promise<void>;
  close(): Promise<void>;
}

const NAMESPACE = /^[A-Za-z0-9._-]{1,128}$/;

/** Helix REST's default namespace name (HelixRestNamespace.DEFAULT_NAMESPACE_NAME). */
export const DEFAULT_NAMESPACE = 'default';

/** Returns `namespace` if valid (1-128 letters, digits, `.`, `_`, `-`; not `.` or `..`). */
export function validateNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace) || namespace === '.' || namespace === '..') {
    throw new InvalidArgumentError(`namespace "${namespace}" is invalid: use 1-128 letters, digits, ".", "_" or "-"`);
  }
  return namespace;
}

/** The refusal of a namespace the directory is not configured to serve. */
export function unknownNamespace(namespace: string, known: readonly string[]): NotFoundError {
  return new NotFoundError(
    namespace,
    `namespace "${namespace}" is not served by this directory (it serves: ${known.join(', ') || 'none'}); namespaces are configured at start (baton directory start --namespace NAME)`,
  );
}

/** An in-process store (unit tests, demos). Versions behave like the ZooKeeper store's. */
export class MemoryDirectoryStore implements DirectoryStore {
  readonly #names: readonly string[];
  readonly #namespaces = new Map<string, { data: RoutingData; version: number }>();

  /** Serves `namespaces` (default: `default`), each starting empty. */
  constructor(namespaces: readonly string[] = [DEFAULT_NAMESPACE]) {
    this.#names = Object.freeze([...new Set(namespaces.map(validateNamespace))].sort());
  }

  namespaces(): readonly string[] {
    return this.#names;
  }

  async read(namespace: string): Promise<RoutingSnapshot> {
    this.#check(namespace);
    return this.#namespaces.get(namespace) ?? { data: EMPTY_ROUTING, version: null };
  }

  async write(namespace: string, data: RoutingData, expectVersion: number | null): Promise<void> {
    this.#check(namespace);
    const actual = this.#namespaces.get(namespace)?.version ?? null;
    if (actual !== expectVersion) throw new VersionConflictError(`namespace ${namespace}`, expectVersion, actual);
    this.#namespaces.set(namespace, { data, version: (actual ?? -1) + 1 });
  }

  async close(): Promise<void> {}

  #check(namespace: string): void {
    if (!this.#names.includes(namespace)) throw unknownNamespace(namespace, this.#names);
  }
}

/** An empty namespace's routing data (no realms yet). */
export const EMPTY_ROUTING = RoutingData.from({}, { allowNoKeys: true });
