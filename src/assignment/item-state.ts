/**
 * The working state of one item while the engine runs, and step 1 of the algorithm: reading
 * what each item holds today.
 */
import type { Plan } from './validate.js';

/** One item during a run. Node numbers are indices into `Plan.nodes`. */
export interface ItemState {
  readonly item: string;
  /** The stored list, without duplicates. */
  readonly stored: readonly string[];
  /** Live nodes on the item: the first `kept` were stored before, the rest are moves. */
  readonly live: number[];
  /** How many of `live` (its first entries) are kept from the stored list. */
  kept: number;
  /** Live slots the item must end with. */
  readonly need: number;
  /** The stored primary is in grace, so position 0 stays frozen. */
  readonly frozenPrimary: boolean;
  /** The stored primary if it is a live node, else -1. */
  readonly previousPrimary: number;
  /** The live node chosen as primary (step 7), or -1 when the primary place is frozen or empty. */
  primary: number;
}

/**
 * Step 1: for each item, count its frozen grace slots and work out how many live slots it
 * needs: `min(replicas, live + frozen) - frozen`, at least 0. A grace node fills one of the
 * item's `replicas` places, so the item is not also given a live node for it; with fewer live
 * nodes than replicas the item still gets every live node next to its grace nodes, so someone
 * can act for it during the grace period. Nodes neither live nor in grace are dropped later.
 */
export function readItems(plan: Plan): ItemState[] {
  const liveCount = plan.nodes.length;
  return plan.items.map((item) => {
    const stored = plan.previousOf(item);
    let frozen = 0;
    for (const id of stored) if (plan.grace.has(id)) frozen++;
    const need = Math.max(0, Math.min(plan.replicas, liveCount + frozen) - frozen);
    const first = stored[0];
    return {
      item,
      stored,
      live: [],
      kept: 0,
      need,
      frozenPrimary: first !== undefined && plan.grace.has(first),
      previousPrimary: first === undefined ? -1 : (plan.indexOf.get(first) ?? -1),
      primary: -1,
    };
  });
}

/** Adds live node `node` to the item (a move). */
export function addSlot(state: ItemState, node: number): void {
  state.live.push(node);
}

/** Replaces live node `from` by `to`; `to` is a move, so `from` first leaves the kept prefix. */
export function replaceSlot(state: ItemState, from: number, to: number): void {
  let at = state.live.indexOf(from);
  if (at < state.kept) {
    const last = state.kept - 1;
    state.live[at] = state.live[last] as number;
    state.live[last] = from;
    state.kept = last;
    at = last;
  }
  state.live[at] = to;
}

/**
 * The item's output list: its primary first (when chosen), then the stored list in stored
 * order (grace nodes and kept live holders), then the nodes added in this run.
 */
export function listOf(plan: Plan, state: ItemState): string[] {
  const { live, kept, primary } = state;
  let size = live.length;
  for (const id of state.stored) if (plan.grace.has(id)) size++;
  // Sized up front: most lists have one to three entries, and growing by push over-allocates.
  const list = new Array<string>(size);
  let at = 0;
  if (primary >= 0) list[at++] = plan.id(primary);
  for (const id of state.stored) {
    const node = plan.indexOf.get(id);
    if (node === undefined ? plan.grace.has(id) : node !== primary && live.indexOf(node) >= 0 && live.indexOf(node) < kept) list[at++] = id;
  }
  for (let k = kept; k < live.length; k++) if (live[k] !== primary) list[at++] = plan.id(live[k] as number);
  return list;
}
