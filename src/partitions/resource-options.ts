/**
 * Settings of one partitioned resource (config section `partitions.<name>`), with Pinot's lead
 * controller resource as the default: 24 partitions, and baton's standby replica on top.
 */
import { validateSegment } from '../contract/names.js';
import { ConfigError } from '../errors.js';
import { checkMoveCap } from '../owned-items/move-throttle.js';
import { DEFAULT_PARTITIONS } from './key-partition.js';
import { validateResourceName } from './resource-layout.js';
import { LEAD_CONTROLLER_ID_FORMATS, type LeadControllerIdFormat } from './pinot-participant.js';

/** Pinot's resource name; `GET /leader/tables` serves the resource of this name first. */
export const LEAD_CONTROLLER_RESOURCE = 'leadControllerResource';

/** Upper bound on `partitions`: each partition is one election per node that may lead it. */
export const MAX_PARTITIONS = 10_000;
/** Upper bound on `replicas`: a master plus at most 15 standbys. */
export const MAX_REPLICAS = 16;
/** The longest rebalance delay or pass interval accepted: one day, in ms. */
export const MAX_DELAY_MS = 86_400_000;

export interface PartitionResourceOptions {
  /** Resource name: one key segment (letters, digits, `.`, `_`, `-`, `:`, `@`). */
  readonly name: string;
  /** How many partitions keys are hashed into (Pinot: 24). Every node must use the same value. */
  readonly partitions: number;
  /**
   * Nodes per partition: one master plus `replicas - 1` standbys. A standby is promoted as soon
   * as the master's session is gone; `1` reproduces Pinot (no leader until the delay ends).
   */
  readonly replicas: number;
  /**
   * How long a vanished node keeps its place in the placement before its partitions move, on the
   * cluster leaders' monotonic clocks (carried across leader changes in the store). Helix's
   * delayed rebalance in Pinot: 300000 ms. Mastership does NOT wait for it (standbys act at once).
   */
  readonly rebalanceDelayMs: number;
  /**
   * Safety-net period of the leader's placement pass and of every node's re-read of the
   * resource, on their monotonic clocks; membership changes and delay ends trigger a pass at
   * once (and the leader re-checks the members every 5 s meanwhile). Default 60000 ms.
   */
  readonly placementIntervalMs: number;
  /** Whether the resource is enabled when the store holds no flag yet. Default true. */
  readonly enabledByDefault: boolean;
  /**
   * Throttled moves: at most this many partitions in handoff at once (moved by the leader, not
   * yet held by their new acting master); the rest move as handoffs complete. A partition nobody
   * holds is placed at once whatever the cap. 0: no cap (default).
   */
  readonly maxMovesInFlight: number;
  /** Throttled moves: at most this many partitions in handoff at once to or from one node. 0: no cap (default). */
  readonly maxMovesPerNode: number;
  /**
   * How `GET /leader/tables` names each partition's leader: `node-id` (default) or
   * `pinot-participant`, Pinot's `Controller_{host}_{port}` from the leader's advertised host and
   * HTTP port, for Pinot tooling that parses it.
   */
  readonly leadControllerIdFormat: LeadControllerIdFormat;
  /**
   * Partition (as a decimal string) -> the node that should be its master while it is live
   * (src/owned-items/preferred-primaries.ts). Only the cluster leader's value counts; give every
   * node the same. Default none.
   */
  readonly preferredMasters: Readonly<Record<string, string>>;
}

export const DEFAULT_RESOURCE_OPTIONS: Omit<PartitionResourceOptions, 'name'> = Object.freeze({
  partitions: DEFAULT_PARTITIONS,
  replicas: 2,
  rebalanceDelayMs: 300_000,
  placementIntervalMs: 60_000,
  enabledByDefault: true,
  maxMovesInFlight: 0,
  maxMovesPerNode: 0,
  leadControllerIdFormat: 'node-id',
  preferredMasters: Object.freeze({}),
});

/** Fills defaults and validates; ConfigError names the offending `partitions.<name>.*` field. */
export function validateResourceOptions(input: Partial<PartitionResourceOptions> & { readonly name: string }): PartitionResourceOptions {
  const prefix = `partitions.${input.name}`;
  try {
    validateResourceName(input.name);
  } catch (error) {
    throw new ConfigError(prefix, (error as Error).message, { cause: error });
  }
  const options = { ...DEFAULT_RESOURCE_OPTIONS, ...definedOnly(input) } as PartitionResourceOptions;
  checkInteger(options.partitions, `${prefix}.partitions`, 1, MAX_PARTITIONS);
  checkInteger(options.replicas, `${prefix}.replicas`, 1, MAX_REPLICAS);
  checkInteger(options.rebalanceDelayMs, `${prefix}.rebalanceDelayMs`, 0, MAX_DELAY_MS);
  checkInteger(options.placementIntervalMs, `${prefix}.placementIntervalMs`, 1, MAX_DELAY_MS);
  checkMoveCap(options.maxMovesInFlight, `${prefix}.maxMovesInFlight`);
  checkMoveCap(options.maxMovesPerNode, `${prefix}.maxMovesPerNode`);
  if (typeof options.enabledByDefault !== 'boolean') throw new ConfigError(`${prefix}.enabledByDefault`, 'must be true or false');
  if (!LEAD_CONTROLLER_ID_FORMATS.includes(options.leadControllerIdFormat)) {
    throw new ConfigError(`${prefix}.leadControllerIdFormat`, `must be one of ${LEAD_CONTROLLER_ID_FORMATS.join(', ')}, got ${String(options.leadControllerIdFormat)}`);
  }
  checkPreferredMasters(options.preferredMasters, `${prefix}.preferredMasters`, options.partitions);
  return Object.freeze(options);
}

/** Keys are partitions (0 to partitions - 1, decimal), values node ids. */
function checkPreferredMasters(value: unknown, key: string, partitions: number): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(key, 'must map partitions to node ids, e.g. { "0": "node-a" }');
  for (const [partition, nodeId] of Object.entries(value)) {
    if (!/^(0|[1-9]\d*)$/.test(partition) || Number(partition) >= partitions) throw new ConfigError(key, `"${partition}" is not a partition: use 0 to ${partitions - 1}`);
    try {
      validateSegment('node id', String(nodeId));
    } catch (error) {
      throw new ConfigError(`${key}.${partition}`, (error as Error).message, { cause: error });
    }
  }
}

function checkInteger(value: unknown, key: string, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(key, `must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
