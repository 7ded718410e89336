/**
 * Pinot's `GET /leader/tables[/{table}]` JSON shapes (PinotLeadControllerRestletResource):
 *
 *   { "leadControllerResourceEnabled": true,
 *     "leadControllerEntryMap": { "leadControllerResource_0": { "leadControllerId": "n1",
 *                                                                 "tableNames": ["a_OFFLINE"] }, ... } }
 *
 * Every partition is listed, in order; for one table only its partition, with the table itself
 * as the only name. Disabled: `false` and an empty map. `leadControllerId` is null while the
 * partition has no leader; it is the node id, or Pinot's `Controller_{host}_{port}` when the
 * resource is configured so (pinot-participant.ts).
 */
import type { PartitionLeadership } from './partition-leadership.js';

export interface LeadControllerEntry {
  readonly leadControllerId: string | null;
  readonly tableNames: readonly string[];
}

export interface LeadControllerResponse {
  readonly leadControllerResourceEnabled: boolean;
  readonly leadControllerEntryMap: Readonly<Record<string, LeadControllerEntry>>;
}

/** `<resource>_<partition>`, Pinot's partition name. */
export function partitionName(resource: string, partition: number): string {
  return `${resource}_${partition}`;
}

/** The reply of `GET /leader/tables`: every partition with its leader and registered keys. */
export function leaderTables(resource: PartitionLeadership): LeadControllerResponse {
  if (!resource.enabled()) return { leadControllerResourceEnabled: false, leadControllerEntryMap: {} };
  const map: Record<string, LeadControllerEntry> = {};
  for (let partition = 0; partition < resource.options.partitions; partition++) {
    map[partitionName(resource.name, partition)] = { leadControllerId: resource.leadControllerIdOf(partition), tableNames: [...resource.keysOf(partition)] };
  }
  return { leadControllerResourceEnabled: true, leadControllerEntryMap: map };
}

/** The reply of `GET /leader/tables/{table}`, serialized (the route's hot path: no object tree). */
export function leaderForTableText(resource: PartitionLeadership, table: string): string {
  if (!resource.enabled()) return '{"leadControllerResourceEnabled":false,"leadControllerEntryMap":{}}';
  const partition = resource.partitionOf(table);
  const leader = resource.leadControllerIdOf(partition);
  return `{"leadControllerResourceEnabled":true,"leadControllerEntryMap":{${JSON.stringify(partitionName(resource.name, partition))}:{"leadControllerId":${JSON.stringify(leader)},"tableNames":[${JSON.stringify(table)}]}}}`;
}
