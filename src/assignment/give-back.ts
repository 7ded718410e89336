/**
 * Step 6 of the algorithm: give back moves the bounds do not need. The earlier steps shed and
 * fill slots one node at a time, so a slot shed from one item can end up refilled by a move
 * while the move that really needed the room went elsewhere (a node over its ceiling shed the
 * item a node below its floor already held, so a third node took it, and the low node then took
 * a slot of another item). Once every load is settled, putting a dropped stored holder back in
 * place of a node added in this run is one move fewer, and balanced if both loads stay within
 * their bounds.
 */
import type { ItemState } from './item-state.js';
import type { Bounds } from './quotas.js';
import type { Plan } from './validate.js';

/**
 * For each item (in item order) with a node added in this run, put back a stored live holder it
 * dropped in place of an added node, when the added node stays at or above its floor, the
 * stored one at or below its ceiling, and the item keeps as many distinct zones. Repeated until
 * nothing changes: each swap saves a move, so this ends. `load` is updated in place.
 */
export function giveBackMoves(plan: Plan, states: readonly ItemState[], bounds: Bounds, load: number[]): void {
  const candidates: { state: ItemState; dropped: number[] }[] = [];
  for (const state of states) {
    if (state.live.length === state.kept) continue;
    const dropped: number[] = [];
    for (const id of state.stored) {
      const node = plan.indexOf.get(id);
      if (node !== undefined && !state.live.includes(node)) dropped.push(node);
    }
    if (dropped.length > 0) candidates.push({ state, dropped });
  }
  for (let changed = candidates.length > 0; changed; ) {
    changed = false;
    for (const { state, dropped } of candidates) {
      for (let at = state.kept; at < state.live.length; at++) {
        const added = state.live[at] as number;
        if ((load[added] as number) <= (bounds.floor[added] as number)) continue;
        const back = dropped.findIndex((node) => (load[node] as number) < (bounds.ceil[node] as number) && keepsZones(plan, state, at, node));
        if (back < 0) continue;
        const node = dropped[back] as number;
        dropped.splice(back, 1);
        restore(state, at, node);
        load[added] = (load[added] as number) - 1;
        load[node] = (load[node] as number) + 1;
        changed = true;
      }
    }
  }
}

/** True when `node` in place `at` of the item leaves at least as many distinct zones. */
function keepsZones(plan: Plan, state: ItemState, at: number, node: number): boolean {
  const zones = (list: readonly number[]) => new Set(list.map((n) => plan.zone(n))).size;
  const swapped = state.live.map((n, k) => (k === at ? node : n));
  return zones(swapped) >= zones(state.live);
}

/** Replaces the added node at place `at` by the stored `node`, which joins the kept prefix. */
function restore(state: ItemState, at: number, node: number): void {
  state.live[at] = state.live[state.kept] as number;
  state.live[state.kept] = node;
  state.kept++;
}
