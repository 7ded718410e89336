/**
 * How every CLI command that reads or edits a cluster opens the store: read-only (no table,
 * no znode is ever created by a reader), one connection attempt with a short timeout (a
 * person is waiting), and only for a cluster the store knows.
 *
 * A cluster is "known" when the store holds any row or znode for it: a member, a lease (of
 * any election, expired ones too) or a KV document. A misspelt `--cluster` is then an error
 * that names the clusters the store does hold, instead of an empty answer.
 */
import { existsSync } from 'node:fs';
import type { Backend } from '../contract/contract.js';
import { openStore, parseStoreUrl } from '../backends/open-store.js';
import { systemClock } from '../clock.js';
import type { BatonConfig } from '../config/types.js';
import { NotFoundError } from '../errors.js';
import { createNodeLogger } from '../node/logger.js';
import { openConfiguredStore, openWithRetry, type OpenBackend } from '../node/open-backend.js';
import { UsageError } from './command.js';

/**
 * How long a reader waits for its first connection to a network store, ms on the OS clock. A
 * reachable store answers in milliseconds; 5 s tolerates a busy one while a person waits, and
 * a reader tries once (a node's start-up retries store.connectAttempts times instead).
 */
export const READER_CONNECT_TIMEOUT_MS = 5_000;

/** The settings every store-reading command uses (its help lists them first). */
export const READER_CONFIG: readonly string[] = ['cluster', 'store.url', 'store.tablePrefix'];

const openReadOnly: OpenBackend = (config, clock) =>
  openStore(config.store.url, {
    cluster: config.cluster,
    tablePrefix: config.store.tablePrefix,
    clock,
    pollIntervalMs: config.election.pollIntervalMs,
    readOnly: true,
    connectTimeoutMs: READER_CONNECT_TIMEOUT_MS,
  });

/**
 * Opens the configured store for a CLI command (no session). Read-only, so an empty database
 * stays empty: NotFoundError('store') when it holds no baton data. With `create` (the demo,
 * which owns its store) the store is opened as a node opens it, creating the tables.
 */
export async function openForReading(config: BatonConfig, { create = false }: { create?: boolean } = {}): Promise<Backend> {
  if (config.store.url === 'none') throw new UsageError('store "none" lives inside one node process; point --store at the store the nodes use');
  const target = parseStoreUrl(config.store.url);
  // Reading must not create an empty database where a typo points: say so instead.
  if (target.kind === 'sqlite' && !create && !existsSync(target.display)) {
    throw new NotFoundError('store', `no baton data here: no SQLite file at ${target.display}; check --store, or start a node first`);
  }
  const quiet = createNodeLogger({ ...config, log: { level: 'silent' } });
  if (create) return openWithRetry(openConfiguredStore, config, systemClock, quiet);
  return openWithRetry(openReadOnly, { ...config, store: { ...config.store, connectAttempts: 1 } }, systemClock, quiet);
}

/** NotFoundError naming the clusters the store holds when `backend.cluster` is not one of them. */
export async function requireKnownCluster(backend: Backend): Promise<void> {
  if (backend.clusters === undefined) return; // this backend cannot list them: nothing to compare with
  const clusters = await backend.clusters();
  if (clusters.includes(backend.cluster)) return;
  const here = clusters.length === 0 ? 'the store holds no cluster yet (start a node first)' : `clusters in this store: ${clusters.join(', ')}`;
  throw new NotFoundError('cluster', `no cluster "${backend.cluster}" in this store; ${here}. Pick one with --cluster or BATON_CLUSTER`);
}

/**
 * Runs `read` against the configured store opened for reading, for a known cluster, and closes
 * the store whatever `read` does: the one shape of every CLI command that reads the store.
 * `anyCluster` skips the cluster check, for reads of data kept outside the cluster (another
 * system's layout, such as Amoro's bucket assignments).
 */
export async function withStoreReader<T>(config: BatonConfig, read: (backend: Backend) => Promise<T>, { anyCluster = false }: { anyCluster?: boolean } = {}): Promise<T> {
  const backend = await openForReading(config);
  try {
    if (!anyCluster) await requireKnownCluster(backend);
    return await read(backend);
  } finally {
    await backend.close();
  }
}
