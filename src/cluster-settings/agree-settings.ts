/**
 * How a starting node agrees with its cluster on the settings every node must share (the bucket
 * count, each partitioned resource's partitions and replicas):
 *
 * 1. Read the section's stored document.
 * 2. None stored (a new cluster, or one created by a baton from before stored settings): create
 *    it from this node's configuration with a compare-and-set on "must not exist". Of two nodes
 *    starting at once exactly one create lands; the other gets a version conflict, reads the
 *    winner's document and goes on at step 3.
 * 3. Compare: equal, the node starts; different, a ConfigError naming the stored value, the
 *    node's value and how to change the cluster's value deliberately. The node refuses to start.
 *
 * A store that cannot be reached is asked again every retry period until it answers or the
 * session ends: the session opened a moment ago, so an outage ends the session within its
 * renew deadline and the check with it.
 */
import type { Logger } from 'pino';
import type { Backend } from '../contract/contract.js';
import { systemClock, type Clock } from '../clock.js';
import { ConfigError, CorruptDocumentError, isBatonError } from '../errors.js';
import { describeValue, settingsCommand } from './settings-text.js';
import { bucketSection, differingFields, parseSettings, partitionSection, settingsJson, type BucketSettings, type PartitionSettings, type SettingsSection } from './settings-layout.js';

/** What a feature hands over from its start context (a node's FeatureContext fits). */
export interface AgreeContext {
  readonly backend: Backend;
  readonly session: { readonly lost: AbortSignal; readonly timing: { readonly retryPeriodMs: number } };
  readonly logger: Logger;
  readonly clock?: Clock;
}

/**
 * How many create races a start may lose in a row before giving up: a race is lost only to a
 * document that then exists, so a second read finds it; more than a few means something keeps
 * deleting it (someone running `baton settings set` in a loop), which is worth an error.
 */
const MAX_CREATE_RACES = 3;

/** Agrees on `buckets.count`; ConfigError when the cluster stores another count. */
export function agreeOnBucketSettings(context: AgreeContext, mine: BucketSettings): Promise<void> {
  return agree(context, bucketSection(), { count: mine.count });
}

/** Agrees on every resource's partitions and replicas; ConfigError at the first that differs. */
export async function agreeOnPartitionSettings(context: AgreeContext, resources: Iterable<PartitionSettings & { readonly name: string }>): Promise<void> {
  for (const r of resources) await agree(context, partitionSection(r.name), { partitions: r.partitions, replicas: r.replicas });
}

async function agree<T extends object>(context: AgreeContext, section: SettingsSection<T>, mine: T): Promise<void> {
  const { backend, session, logger } = context;
  const clock = context.clock ?? systemClock;
  const signal = session.lost;
  for (let races = 0; ; ) {
    try {
      const entry = await backend.kv.get(section.key, { signal });
      if (entry !== null) return compare(backend.cluster, section, parse(section, entry.value), mine);
      await backend.kv.put(section.key, settingsJson(section, mine), { expectVersion: null, signal });
      logger.info({ reason: 'settings stored', key: section.key, settings: mine }, 'stored the cluster\'s shared settings %s: %s (first node to start with them)', section.key, describeValue(mine));
      return;
    } catch (error) {
      if (isBatonError(error, 'VERSION_CONFLICT') && ++races < MAX_CREATE_RACES) continue; // another node created it first: compare with its value
      if (!isBatonError(error, 'STORE_UNAVAILABLE') || signal.aborted) throw error;
      logger.warn({ reason: 'store unavailable', key: section.key }, 'cannot read the cluster\'s shared settings %s yet; asking again in %d ms', section.key, session.timing.retryPeriodMs);
      await clock.sleep(session.timing.retryPeriodMs, { signal });
    }
  }
}

/** A corrupt document stops the node too: it cannot tell which value the cluster uses. */
function parse<T extends object>(section: SettingsSection<T>, value: unknown): T {
  try {
    return parseSettings(section, value as never);
  } catch (error) {
    if (!(error instanceof CorruptDocumentError)) throw error;
    throw new ConfigError(section.configPath, `${error.message}; write the cluster's value with: ${settingsCommand(section)}`, { cause: error });
  }
}

function compare<T extends object>(cluster: string, section: SettingsSection<T>, stored: T, mine: T): void {
  const differ = differingFields(section, stored, mine);
  if (differ.length === 0) return;
  const path = (field: string) => `${section.configPath}.${field}`;
  const pairs = differ.map((field) => `${path(field)}: this node has ${String(mine[field])}, the cluster stores ${String(stored[field])}`);
  throw new ConfigError(
    path(differ[0] as string),
    `this node's configuration differs from the value cluster "${cluster}" stores (${section.key}, written by the first node that started with it): ${pairs.join('; ')}. ` +
      `Every node of a cluster must use the same value. Start this node with ${differ.map((f) => `${path(f)}: ${String(stored[f])}`).join(', ')}; ` +
      `or, to change the cluster's value, stop every node, run ${settingsCommand(section, mine, cluster)}, then start the nodes with the new value (docs/settings.md)`,
  );
}
