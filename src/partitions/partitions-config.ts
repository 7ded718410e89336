/**
 * The `partitions` config section, owned by this feature: its schema (composed into the node's
 * by src/config/sections/index.ts) and its type (composed into BatonConfig by
 * src/config/types.ts). Named partitioned resources (`partitions.<name>.*`, file only), each
 * spreading per-key leadership over the nodes like Pinot's lead controller resource.
 */
import { booleanLeaf, integerLeaf, section, stringLeaf, stringMapLeaf, type MapSpec } from '../feature/config-spec.js';
import { MAX_MOVES } from '../owned-items/move-throttle.js';
import { LEAD_CONTROLLER_ID_FORMATS } from './pinot-participant.js';
import { DEFAULT_RESOURCE_OPTIONS, MAX_DELAY_MS, MAX_PARTITIONS, MAX_REPLICAS } from './resource-options.js';

/** One `partitions.<name>` entry. */
export interface PartitionsEntryConfig {
  readonly partitions: number;
  readonly replicas: number;
  readonly rebalanceDelayMs: number;
  readonly placementIntervalMs: number;
  readonly enabledByDefault: boolean;
  readonly maxMovesInFlight: number;
  readonly maxMovesPerNode: number;
  /** `node-id` or `pinot-participant` (see src/partitions/pinot-participant.ts). */
  readonly leadControllerIdFormat: 'node-id' | 'pinot-participant';
  /** Partition -> the node that should be its master while live (`{ "0": "node-a" }`). */
  readonly preferredMasters: Readonly<Record<string, string>>;
}

/** The `partitions` config section: resources by name. */
export type PartitionsConfig = Readonly<Record<string, PartitionsEntryConfig>>;

export const partitionsSection: MapSpec = Object.freeze({
  kind: 'map',
  doc: 'Partitioned resources by name (Pinot default: `leadControllerResource: {}`): keys hash to partitions, each led by one node with standbys.',
  of: section('One partitioned resource.', {
    partitions: integerLeaf({ doc: 'How many partitions keys hash into (Pinot: 24); the same on every node.', default: DEFAULT_RESOURCE_OPTIONS.partitions, min: 1, max: MAX_PARTITIONS }),
    replicas: integerLeaf({ doc: 'Nodes per partition: the master plus standbys that take over at once (1 = Pinot, leaderless until the delay ends).', default: DEFAULT_RESOURCE_OPTIONS.replicas, min: 1, max: MAX_REPLICAS }),
    rebalanceDelayMs: integerLeaf({
      // Measured on the cluster leaders' monotonic clocks and carried across leader changes in the store.
      doc: 'How long a vanished node keeps its place before its partitions move, in ms (Helix delayed rebalance).',
      default: DEFAULT_RESOURCE_OPTIONS.rebalanceDelayMs,
      min: 0,
      max: MAX_DELAY_MS,
    }),
    placementIntervalMs: integerLeaf({
      // The leader's monotonic clock; membership changes trigger a pass at once, this is a safety net.
      doc: 'Period of the leader\'s safety-net placement pass, in ms.',
      default: DEFAULT_RESOURCE_OPTIONS.placementIntervalMs,
      min: 1,
      max: MAX_DELAY_MS,
    }),
    maxMovesInFlight: integerLeaf({
      doc: 'Throttled moves: at most this many partitions in handoff at once (moved, not yet held by their new acting master); the rest move as handoffs complete. Unheld partitions are placed at once. 0: no cap.',
      default: DEFAULT_RESOURCE_OPTIONS.maxMovesInFlight,
      min: 0,
      max: MAX_MOVES,
    }),
    maxMovesPerNode: integerLeaf({
      doc: 'Throttled moves: at most this many partitions in handoff at once to or from one node. 0: no cap.',
      default: DEFAULT_RESOURCE_OPTIONS.maxMovesPerNode,
      min: 0,
      max: MAX_MOVES,
    }),
    enabledByDefault: booleanLeaf({ doc: 'Whether the resource is enabled before `baton resource enable|disable` stores a flag.', default: DEFAULT_RESOURCE_OPTIONS.enabledByDefault }),
    leadControllerIdFormat: stringLeaf({
      doc: 'How GET /leader/tables names leaders: `node-id`, or `pinot-participant` (Pinot\'s `Controller_{host}_{port}` from the advertised host and HTTP port).',
      default: DEFAULT_RESOURCE_OPTIONS.leadControllerIdFormat,
      oneOf: LEAD_CONTROLLER_ID_FORMATS,
    }),
    preferredMasters: stringMapLeaf({
      doc: 'Partition -> node that should be its master while it is live, e.g. `{ "0": "node-a", "5": "node-b" }`: the leader puts it first on the partition\'s list (a role swap when it is a standby; else it takes a slot and the node it displaced takes one of its slots, so loads stay balanced). The cluster leader\'s value counts; give every node the same.',
      default: DEFAULT_RESOURCE_OPTIONS.preferredMasters,
    }),
  }),
});
