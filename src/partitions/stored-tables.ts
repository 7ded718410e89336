/**
 * Pinot's `/leader/tables[/{table}]` view read straight from the store (for the CLI, which has
 * no node): the holder of each partition's election, the registered keys, the enable flag.
 */
import type { Backend } from '../contract/contract.js';
import { partitionOf } from './key-partition.js';
import { partitionName, type LeadControllerEntry, type LeadControllerResponse } from './leader-tables.js';
import { listResourceKeys, readResourceEnabled } from './resource-admin.js';
import { partitionElection } from './resource-layout.js';
import { leadControllerId, type LeadControllerIdFormat } from './pinot-participant.js';

export interface StoredTablesOptions {
  readonly resource: string;
  readonly partitions: number;
  /** Used when the store holds no flag. */
  readonly enabledByDefault: boolean;
  /** Only this table's partition, with the table as its only name. */
  readonly table?: string;
  /** How leaders are named (default `node-id`). */
  readonly leadControllerIdFormat?: LeadControllerIdFormat;
}

export async function readStoredTables(backend: Backend, options: StoredTablesOptions): Promise<LeadControllerResponse> {
  const { resource, partitions, table } = options;
  const enabled = (await readResourceEnabled(backend.kv, resource)) ?? options.enabledByDefault;
  if (!enabled) return { leadControllerResourceEnabled: false, leadControllerEntryMap: {} };
  const wanted = table === undefined ? Array.from({ length: partitions }, (_, p) => p) : [partitionOf(table, partitions)];
  const format = options.leadControllerIdFormat ?? 'node-id';
  const [keys, leaders, members] = await Promise.all([
    table === undefined ? listResourceKeys(backend.kv, resource) : Promise.resolve([table]),
    Promise.all(wanted.map((p) => backend.leader(partitionElection(resource, p)))),
    format === 'node-id' ? Promise.resolve([]) : backend.members(),
  ]);
  const map: Record<string, LeadControllerEntry> = {};
  for (const [i, p] of wanted.entries()) {
    map[partitionName(resource, p)] = { leadControllerId: leadControllerId(leaders[i]?.nodeId ?? null, format, members), tableNames: keys.filter((k) => partitionOf(k, partitions) === p) };
  }
  return { leadControllerResourceEnabled: true, leadControllerEntryMap: map };
}
