/**
 * The node feature that runs every configured partitioned resource (config `partitions.<name>`):
 * one owned-items engine per resource (OwnedItems over partition-layout.ts), with its Pinot-facing
 * PartitionLeadership; both live as long as the node, the engine works for each session.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { OwnedItems } from '../owned-items/owned-items.js';
import type { PassReport } from '../owned-items/item-placement.js';
import { agreeOnPartitionSettings } from '../cluster-settings/index.js';
import { silentLogger } from '../owned-items/silent-logger.js';
import { systemClock, type Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import type { FeatureContext, NodeFeature, NodeFeatureFactory } from '../feature/feature.js';
import { partitionLayout, partitionTiming } from './partition-layout.js';
import { PartitionLeadership, type PartitionItems } from './partition-leadership.js';
import type { PartitionsConfig } from './partitions-config.js';
import { LEAD_CONTROLLER_RESOURCE, validateResourceOptions, type PartitionResourceOptions } from './resource-options.js';

export const PARTITIONS_FEATURE = 'partitions';

export class PartitionsFeature implements NodeFeature {
  readonly name = PARTITIONS_FEATURE;
  readonly #resources = new Map<string, PartitionLeadership>();
  readonly #items = new Map<string, PartitionItems>();

  constructor(resources: readonly PartitionResourceOptions[], nodeId: string, options: { clock?: Clock; log?: Logger; metrics?: Registry } = {}) {
    const clock = options.clock ?? systemClock;
    const log = options.log ?? silentLogger;
    // Partitions in handoff after the leader's last pass (throttled moves; set only where this node leads).
    const inHandoff = options.metrics === undefined ? null : new Gauge({
      name: 'baton_partitions_in_handoff',
      help: 'Partitions moved by the leader and not yet held by their new acting master (tracked under a move cap)',
      labelNames: ['resource'],
      registers: [options.metrics],
    });
    for (const resource of resources) {
      const onPass = inHandoff === null ? {} : { onPass: (pass: PassReport) => inHandoff.set({ resource: resource.name }, pass.inHandoff) };
      const items = new OwnedItems({ layout: partitionLayout(resource), timing: partitionTiming(resource), clock, log: log.child({ resource: resource.name }), ...onPass });
      this.#items.set(resource.name, items);
      this.#resources.set(resource.name, new PartitionLeadership(resource, nodeId, items));
    }
    if (options.metrics !== undefined) this.#instrument(options.metrics);
  }

  /** Partitions led by this node, and how often it started or stopped leading one, per resource. */
  #instrument(registry: Registry): void {
    const registers = [registry];
    const led = new Gauge({ name: 'baton_partitions_led', help: 'Partitions this node leads now', labelNames: ['resource'], registers });
    const changes = new Counter({ name: 'baton_partition_leadership_changes_total', help: 'Times this node started or stopped leading a partition', labelNames: ['resource'], registers });
    for (const resource of this.#resources.values()) {
      const update = () => {
        led.set({ resource: resource.name }, resource.leading().length);
        changes.inc({ resource: resource.name });
      };
      led.set({ resource: resource.name }, 0);
      resource.on('acquired', update);
      resource.on('released', update);
    }
  }

  /** Names of the configured resources, `leadControllerResource` first when configured. */
  names(): string[] {
    return [...this.#resources.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The resource `name`; NotFoundError when it is not configured on this node. */
  resource(name: string): PartitionLeadership {
    const resource = this.#resources.get(name);
    if (resource === undefined) {
      throw new NotFoundError(name, `no partitioned resource "${name}" on this node; configured: ${this.names().join(', ') || '(none)'} (config partitions.<name>)`);
    }
    return resource;
  }

  /** What a drain waits for: the partitions held now, per resource (`partitions/<name>`). */
  holding(): Record<string, number[]> {
    return Object.fromEntries([...this.#items].map(([name, items]) => [`partitions/${name}`, items.owned()]));
  }

  async start(context: FeatureContext): Promise<void> {
    const { backend, session, elector, logger } = context;
    await agreeOnPartitionSettings(context, [...this.#resources.values()].map((r) => r.options)); // ConfigError when the cluster stores other values
    for (const [name, items] of this.#items) await items.start({ backend, session, elector, autoFreeze: context.config.placement.autoFreeze, expectedNodes: context.config.placement.expectedNodes, log: logger.child({ resource: name }) });
  }

  /**
   * Releases every partition (listeners awaited, then resigned). A stopped node keeps its
   * places for `rebalanceDelayMs`, like a crashed one (a rolling restart moves nothing).
   */
  async stop(): Promise<void> {
    await Promise.all([...this.#items.values()].map((items) => items.stop({ leave: false })));
  }
}

function rank(name: string): number {
  return name === LEAD_CONTROLLER_RESOURCE ? 0 : 1;
}

/** The resources configured under `partitions.<name>`. */
export function resourcesOf(config: { readonly partitions?: PartitionsConfig }): PartitionResourceOptions[] {
  return Object.entries(config.partitions ?? {}).map(([name, section]) => validateResourceOptions({ ...section, name }));
}

/** Builds the feature when at least one resource is configured. */
export const partitionsFeatureFactory: NodeFeatureFactory<{ readonly partitions?: PartitionsConfig }> = (config, metrics, logger) => {
  const resources = resourcesOf(config);
  return resources.length === 0 ? null : new PartitionsFeature(resources, config.nodeId, { log: logger.child({ feature: PARTITIONS_FEATURE }), metrics });
};
