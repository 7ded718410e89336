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
import type { PartitionResourceOptions } from '../partitions/resource-options.js';

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
