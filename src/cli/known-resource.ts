/**
 * Which partitioned resources a CLI command may name. A resource is "known" when the command's
 * configuration declares it (`partitions.<name>` in --config) or the cluster stores any document
 * of it (a placement written by a leader that runs it, an enable flag, a registered key). A
 * misspelt name is then an error naming the known ones, never a silent default or a new write.
 */
import type { Backend } from '../contract/contract.js';
import type { BatonConfig } from '../config/types.js';
import { NotFoundError } from '../errors.js';
import { resourcesOf } from '../partitions/partitions-feature.js';
import { storedResourceNames } from '../partitions/resource-admin.js';
import { DEFAULT_RESOURCE_OPTIONS, type PartitionResourceOptions } from '../partitions/resource-options.js';
import { partitionSettingsOf } from '../cluster-settings/index.js';

/** The configured options of `resource` (undefined when only stored); NotFoundError when unknown. */
export async function requireKnownResource(config: BatonConfig, backend: Backend, resource: string): Promise<PartitionResourceOptions | undefined> {
  const configured = resourcesOf(config);
  const own = configured.find((r) => r.name === resource);
  if (own !== undefined) return own;
  const stored = await storedResourceNames(backend.kv);
  if (stored.includes(resource)) return undefined;
  const known = [...new Set([...configured.map((r) => r.name), ...stored])].sort();
  const listed = known.length === 0 ? 'this cluster has no partitioned resource yet' : `known resources: ${known.join(', ')}`;
  throw new NotFoundError(
    'resource',
    `unknown resource "${resource}" in cluster "${backend.cluster}"; ${listed}. A resource becomes known once nodes that run it (partitions.<name> in their configuration) have started, or when --config declares it`,
  );
}

/**
 * The options a reader uses for `resource`: its configuration (or the defaults), with the
 * partitions and replicas the cluster stores. A cluster from before stored settings has none:
 * the configured values are used and `note` says so.
 */
export async function resourceAsStored(config: BatonConfig, backend: Backend, resource: string): Promise<{ options: Omit<PartitionResourceOptions, 'name'>; note: string | null }> {
  const configured = (await requireKnownResource(config, backend, resource)) ?? DEFAULT_RESOURCE_OPTIONS;
  const shared = await partitionSettingsOf(backend.kv, resource, configured);
  const note =
    shared.source === 'stored'
      ? null
      : `note: cluster "${backend.cluster}" stores no partition count for ${resource} yet (its nodes run a baton from before stored settings); assuming ${configured.partitions} partitions from ${configured === DEFAULT_RESOURCE_OPTIONS ? 'the defaults' : `partitions.${resource}`}`;
  return { options: { ...configured, ...shared.value }, note };
}
