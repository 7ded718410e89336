/**
 * A partitioned resource as the owned-items engine sees it: partitions 0..N-1, `replicas` nodes
 * each, election `partition/{resource}/{n}`, stored as one placement document
 * (resource-layout.ts). What a node holds (Pinot's lead controller rules, with standbys):
 * - enabled: the partitions whose acting master is this node, the first LIVE node of the
 *   placement list (so a standby takes over as soon as the master's session is gone);
 * - disabled: every partition on the cluster leader, none elsewhere;
 * - nothing while the session is suspended or lost (Pinot keeps them; baton drops them at
 *   once and takes them back when the session is live again).
 */
import type { Member } from '../contract/contract.js';
import type { OwnedItemsLayout } from '../owned-items/layout.js';
import type { PlacementTiming } from '../owned-items/item-placement.js';
import { placementDoc, samePlacement, storedPartitions } from './placement-plan.js';
import { partitionElection, placementJson, placementKey, readResource, resourcePrefix, type ResourceState } from './resource-layout.js';
import type { PartitionResourceOptions } from './resource-options.js';

/** What a node knows of a resource: its stored state and the live members. */
export interface ResourceView {
  readonly state: ResourceState;
  readonly members: readonly Member[];
}

/** The engine's timing under its own names (`rebalanceDelayMs`, Helix's name, is the engine's `offlineGraceMs`). */
export function partitionTiming(options: PartitionResourceOptions): PlacementTiming {
  const { maxMovesInFlight, maxMovesPerNode } = options;
  return { placementIntervalMs: options.placementIntervalMs, offlineGraceMs: options.rebalanceDelayMs, maxMovesInFlight, maxMovesPerNode };
}

/** The first live node of the partition's placement list, or null. */
export function actingMaster(view: ResourceView, partition: number): string | null {
  const list = view.state.placement?.assignment[String(partition)] ?? [];
  return list.find((nodeId) => view.members.some((m) => m.nodeId === nodeId)) ?? null;
}

export function partitionLayout(options: PartitionResourceOptions): OwnedItemsLayout<number, ResourceState, ResourceView> {
  const { name, partitions } = options;
  const layout: OwnedItemsLayout<number, ResourceState, ResourceView> = {
    noun: 'partition',
    what: 'partition placement',
    items: Object.freeze(Array.from({ length: partitions }, (_, p) => p)),
    replicas: options.replicas,
    preferredPrimaries: options.preferredMasters,
    electionOf: (partition) => partitionElection(name, partition),
    readStored: (kv, onCorrupt, signal) => readResource(kv, name, partitions, onCorrupt, signal),
    storedPlacement: (state) => storedPartitions(state.placement),
    followsPlacement: (state) => state.enabled ?? options.enabledByDefault,
    writes: (state, next) => {
      const doc = placementDoc(options, next);
      if (state.placement !== null && samePlacement(state.placement, doc)) return [];
      return [[{ kind: 'put', key: placementKey(name), value: placementJson(doc), expect: state.placementVersion }]];
    },
    watchPrefixes: () => [resourcePrefix(name)],
    watchesMembers: true,
    readView: async (backend, _nodeId, onCorrupt, signal) => {
      const [state, members] = await Promise.all([readResource(backend.kv, name, partitions, onCorrupt, signal), backend.members({ signal })]);
      return { state, members };
    },
    wanted: (view, { nodeId, sessionLive, leadsCluster }) => {
      const wanted = new Set<number>();
      if (!sessionLive) return wanted;
      const enabled = view.state.enabled ?? options.enabledByDefault;
      for (let partition = 0; partition < partitions; partition++) {
        if (enabled ? actingMaster(view, partition) === nodeId : leadsCluster) wanted.add(partition);
      }
      return wanted;
    },
  };
  return Object.freeze(layout);
}
