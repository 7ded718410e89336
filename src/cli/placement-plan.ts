/**
 * `baton buckets plan` and `baton resource plan NAME`: the moves the leader's next placement
 * pass would make if nodes were added, removed or reweighted, and the load spread after. Read
 * only: the store is opened by the reader (store-reader.ts), nothing is written; the pass is the
 * engine's own (owned-items/placement-preview.ts over placeItems).
 */
import type { Backend, Member } from '../contract/contract.js';
import type { JsonObject } from '../contract/json.js';
import { NotFoundError } from '../errors.js';
import type { OwnedItemsLayout } from '../owned-items/layout.js';
import type { MoveLimits } from '../owned-items/move-throttle.js';
import { readDrainRequests } from '../operations/index.js';
import { MAX_PLANNED_STEPS, previewPlacement, type PlacementPreview } from '../owned-items/placement-preview.js';
import { UsageError, type CommandOptions } from './command.js';
import { table } from './output.js';

/** The flags of a plan, shared by both commands. */
export const PLAN_OPTIONS: CommandOptions = {
  add: { type: 'string', multiple: true, value: 'node[=weight][@zone]', help: 'plan: a node joins (repeat for more), with its weight (default 1) and zone as it would advertise them' },
  remove: { type: 'string', multiple: true, value: 'node', help: 'plan: a live node leaves for good (repeat for more); the plan shows the layout once its grace is over' },
  weight: { type: 'string', multiple: true, value: 'node=weight', help: 'plan: a live node advertises a new weight (repeat for more)' },
};

/** Whether any plan flag was given (commands refuse them outside `plan`). */
export function hasPlanFlags(values: Readonly<Record<string, unknown>>): boolean {
  return ['add', 'remove', 'weight'].some((flag) => values[flag] !== undefined);
}

export interface PlanChanges {
  readonly add: readonly { readonly nodeId: string; readonly weight?: number; readonly zone?: string }[];
  readonly remove: readonly string[];
  readonly weight: readonly { readonly nodeId: string; readonly weight: number }[];
}

/** The plan flags, parsed; UsageError names a malformed value. */
export function planChanges(values: Readonly<Record<string, unknown>>): PlanChanges {
  const list = (flag: string) => (values[flag] as string[] | undefined) ?? [];
  const add = list('add').map((text) => {
    const match = /^([^=@\s]+)(?:=([^@]+))?(?:@(\S+))?$/.exec(text);
    if (match === null) throw new UsageError(`--add takes node[=weight][@zone], got ${JSON.stringify(text)}`);
    const [, nodeId = '', weight, zone] = match;
    return { nodeId, ...(weight === undefined ? {} : { weight: weightOf('--add', weight) }), ...(zone === undefined ? {} : { zone }) };
  });
  const weight = list('weight').map((text) => {
    const [nodeId, value, ...extra] = text.split('=');
    if (nodeId === undefined || nodeId === '' || value === undefined || extra.length > 0) throw new UsageError(`--weight takes node=weight, got ${JSON.stringify(text)}`);
    return { nodeId, weight: weightOf('--weight', value) };
  });
  return { add, remove: list('remove'), weight };
}

function weightOf(flag: string, text: string): number {
  const weight = Number(text);
  if (text.trim() === '' || !Number.isFinite(weight) || weight <= 0) throw new UsageError(`${flag}: a weight is a positive number, got ${JSON.stringify(text)}`);
  return weight;
}

/** The live members with `changes` applied; NotFoundError for a removed or reweighted node that is not live, UsageError for an added one that is. */
export function plannedMembers(live: readonly Member[], changes: PlanChanges, cluster: string): Member[] {
  const ids = new Set(live.map((m) => m.nodeId));
  const liveList = () => (ids.size === 0 ? 'no node is live' : `live nodes: ${[...ids].sort().join(', ')}`);
  for (const nodeId of [...changes.remove, ...changes.weight.map((w) => w.nodeId)]) {
    if (!ids.has(nodeId)) throw new NotFoundError('member', `no live node "${nodeId}" in cluster "${cluster}"; ${liveList()}`);
  }
  for (const { nodeId } of changes.add) {
    if (ids.has(nodeId)) throw new UsageError(`--add ${nodeId}: that node is live already; use --weight to change its weight`);
  }
  const removed = new Set(changes.remove);
  const members = live.filter((m) => !removed.has(m.nodeId)).map((m) => {
    const reweighted = changes.weight.find((w) => w.nodeId === m.nodeId);
    return reweighted === undefined ? m : { ...m, info: { ...m.info, weight: reweighted.weight } };
  });
  for (const { nodeId, weight, zone } of changes.add) {
    const info: JsonObject = { ...(weight === undefined ? {} : { weight }), ...(zone === undefined ? {} : { zone }) };
    members.push({ nodeId, sessionId: '(planned)', info });
  }
  return members;
}

/** Reads the store as the leader reads it and previews the pass with `changes`. */
export async function readPlan<S>(
  backend: Backend,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only the leader's side of the layout is used
  layout: OwnedItemsLayout<any, S, any>, 
  changes: PlanChanges,
  offlineGraceMs: number,
  limits: MoveLimits = {},
): Promise<{ preview: PlacementPreview; corrupt: string[] }> {
  const corrupt: string[] = [];
  const signal = new AbortController().signal;
  const [live, stored, drainRequests] = await Promise.all([
    backend.members({ signal }),
    layout.readStored(backend.kv, (e) => corrupt.push(e.key), signal),
    readDrainRequests(backend.kv, { signal }),
  ]);
  const members = plannedMembers(live, changes, backend.cluster);
  return { preview: previewPlacement({ layout, stored, members, gone: new Set(changes.remove), offlineGraceMs, limits, drainRequests }), corrupt };
}

/** What a plan cannot see, said with every plan. */
export function planNotes(preview: PlacementPreview, offlineGraceMs: number, graceSource: string, corrupt: readonly string[]): string[] {
  const notes = [`nothing was changed; offline grace ${offlineGraceMs} ms (${graceSource}: the nodes' own setting is not stored)`];
  for (const [nodeId, leftMs] of preview.placement.inGrace) {
    notes.push(`${nodeId} is gone and keeps its items for about ${leftMs} ms more (as last stored; the leader's running timer is not readable), then they move`);
  }
  if (corrupt.length > 0) notes.push(`corrupt documents read as absent (the leader rewrites them): ${corrupt.join(', ')}`);
  return notes;
}

/** The plan as JSON fields (both commands add what they are). */
export function planJson(preview: PlacementPreview, changes: PlanChanges, notes: readonly string[]): JsonObject {
  const { placement } = preview;
  return {
    changes: { add: changes.add.map((a) => ({ ...a })), remove: [...changes.remove], weight: changes.weight.map((w) => ({ ...w })) },
    moves: preview.moves.map((m) => ({ item: m.item, from: [...m.from], to: [...m.to] })),
    firstStep: preview.firstStep.map((m) => ({ item: m.item, from: [...m.from], to: [...m.to] })),
    steps: preview.steps,
    assignment: Object.fromEntries(Object.entries(placement.assignment).map(([item, nodes]) => [item, [...nodes]])),
    spread: { nodes: preview.loads.map((l) => ({ ...l })), minSlots: preview.minSlots, maxSlots: preview.maxSlots },
    inGrace: Object.fromEntries(placement.inGrace),
    reclaimed: [...placement.reclaimed],
    notes: [...notes],
  };
}

/**
 * Under move caps, how the moves are paced: the first step and how many steps in all (null when
 * everything moves in one step).
 */
export function stepsText(preview: PlacementPreview, noun: string): string | null {
  if (preview.steps !== null && preview.steps <= 1) return null;
  const all = preview.steps === null ? `more than ${MAX_PLANNED_STEPS}` : String(preview.steps);
  const first = preview.firstStep.map((m) => m.item).join(', ');
  return `move caps: ${all} steps, each once the previous one's handoffs are done; the first moves ${preview.firstStep.length} ${noun}s: ${first}`;
}

/** The spread table and its min/max line. */
export function spreadText(preview: PlacementPreview, replicas: number): string {
  const rows = preview.loads.map((l) => [
    l.fairShare === null ? `${l.nodeId} (in grace)` : l.nodeId,
    String(l.weight),
    String(l.acting),
    ...(replicas > 1 ? [String(l.slots)] : []),
    l.fairShare === null ? '-' : l.fairShare.toFixed(1),
  ]);
  const headers = ['NODE', 'WEIGHT', replicas > 1 ? 'MASTERS' : 'ITEMS', ...(replicas > 1 ? ['SLOTS'] : []), 'FAIR SHARE'];
  return `${table(headers, rows)}\nper live node: min ${preview.minSlots}, max ${preview.maxSlots} ${replicas > 1 ? 'slots' : 'items'}`;
}
