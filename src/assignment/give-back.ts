/**
 * Step 6 of the algorithm: give back moves the bounds do not need. The earlier steps shed and
 * fill slots one node at a time, so a slot shed from one item can end up refilled by a move
 * while the move that really needed the room went elsewhere (a node over its ceiling shed the
 * item a node below its floor already held, so a third node took it, and the low node then took
 * a slot of another item). Once every load is settled, putting a dropped stored holder back in
 * place of a node added in this run is one move fewer; chains of swaps that cost no move keep
 * both loads within their bounds.
 */
import type { ItemState } from './item-state.js';
import type { Bounds } from './quotas.js';
import type { Plan } from './validate.js';

interface Swap {
  readonly state: ItemState;
  readonly from: number;
  readonly to: number;
}

/**
 * For each item (in item order) holding a node added in this run (`u`) and missing a stored live
 * holder (`s`): swap u for s, then
 * 1. s sheds one slot along a chain of free swaps (each item trades a node for another that is
 *    as stored as it) ending at a node below its ceiling or at u, unless s is below its ceiling;
 * 2. u, unless the chain ended at it or it is above its floor, gains one slot along such a chain
 *    ending at a node above its floor.
 * Each item changes at most once per round, and no item loses a zone. Repeated until nothing
 * changes: each round saves a move, so this ends. `load` is updated in place.
 */
export function giveBackMoves(plan: Plan, states: readonly ItemState[], bounds: Bounds, load: number[]): void {
  const stored = (state: ItemState, node: number) => state.stored.includes(plan.id(node));
  // Only an item with an added node and a dropped stored live holder can start a round.
  const starts = (state: ItemState) =>
    state.live.length > state.kept &&
    state.live.some((node) => !stored(state, node)) &&
    state.stored.some((id) => {
      const node = plan.indexOf.get(id);
      return node !== undefined && !state.live.includes(node);
    });
  const candidates = states.filter(starts);
  if (candidates.length === 0) return;
  const listed = new Set(candidates);
  const search = new FreeSwaps(plan, states, bounds, load);
  for (let changed = true; changed; ) {
    changed = false;
    for (const state of candidates) {
      const swaps = search.round(state);
      if (!swaps) continue;
      for (const swap of swaps) {
        apply(search, swap);
        search.swapped(swap);
        if (!listed.has(swap.state) && starts(swap.state)) {
          listed.add(swap.state);
          candidates.push(swap.state);
        }
      }
      changed = true;
    }
  }
}

function apply(search: FreeSwaps, { state, from, to }: Swap): void {
  let at = state.live.indexOf(from);
  if (at < state.kept) {
    state.kept--;
    state.live[at] = state.live[state.kept] as number;
    at = state.kept;
  }
  state.live.splice(at, 1);
  if (search.stored(state, to)) state.live.splice(state.kept++, 0, to);
  else state.live.push(to);
}

class FreeSwaps {
  readonly #plan: Plan;
  readonly #bounds: Bounds;
  readonly #load: number[];
  /** node -> items it is live on (arrays: built for every slot, changed only by swaps). */
  readonly #on: ItemState[][];
  /** node -> items that stored it but do not hold it now. */
  readonly #dropped: Set<ItemState>[];
  /** Items holding a node they did not store. */
  readonly #added = new Set<ItemState>();

  constructor(plan: Plan, states: readonly ItemState[], bounds: Bounds, load: number[]) {
    this.#plan = plan;
    this.#bounds = bounds;
    this.#load = load;
    this.#on = plan.nodes.map(() => []);
    this.#dropped = plan.nodes.map(() => new Set<ItemState>());
    for (const state of states) {
      for (const node of state.live) (this.#on[node] as ItemState[]).push(state);
      // Most items kept exactly their stored list: nothing dropped, nothing added.
      if (state.live.length === state.kept && state.stored.length === state.kept) continue;
      for (const id of state.stored) {
        const node = plan.indexOf.get(id);
        if (node !== undefined && !state.live.includes(node)) (this.#dropped[node] as Set<ItemState>).add(state);
      }
      if (state.live.some((node) => !this.stored(state, node))) this.#added.add(state);
    }
  }

  /** Keeps the indexes right after `state` swapped `from` for `to`. */
  swapped({ state, from, to }: Swap): void {
    const on = this.#on[from] as ItemState[];
    on.splice(on.indexOf(state), 1);
    (this.#on[to] as ItemState[]).push(state);
    if (this.stored(state, from)) (this.#dropped[from] as Set<ItemState>).add(state);
    (this.#dropped[to] as Set<ItemState>).delete(state);
    if (state.live.some((node) => !this.stored(state, node))) this.#added.add(state);
    else this.#added.delete(state);
  }

  stored(state: ItemState, node: number): boolean {
    return state.stored.includes(this.#plan.id(node));
  }

  /** The swaps of one round for `state` (its own first), or undefined when none saves a move. */
  round(state: ItemState): Swap[] | undefined {
    const { floor, ceil } = this.#bounds;
    const load = this.#load;
    for (const u of state.live) {
      if (this.stored(state, u)) continue;
      for (const id of state.stored) {
        const s = this.#plan.indexOf.get(id);
        if (s === undefined || state.live.includes(s) || !this.#keepsZones(state, u, s)) continue;
        const used = new Set<ItemState>([state]);
        const shed = (load[s] as number) < (ceil[s] as number) ? [] : this.#chain(s, true, used, (n) => n === u || (load[n] as number) < (ceil[n] as number));
        if (!shed) continue;
        const end = shed.length > 0 ? (shed[shed.length - 1] as Swap).to : s;
        const closed = end === u || (load[u] as number) > (floor[u] as number);
        const gain = closed ? [] : this.#chain(u, false, used, (n) => (load[n] as number) > (floor[n] as number));
        if (!gain) continue;
        // The item moves one unit from u to s; each chain moves one unit from end to end.
        load[u] = (load[u] as number) - 1;
        load[s] = (load[s] as number) + 1;
        if (shed.length > 0) {
          load[s] = (load[s] as number) - 1;
          load[end] = (load[end] as number) + 1;
        }
        if (gain.length > 0) {
          load[u] = (load[u] as number) + 1;
          const giver = (gain[gain.length - 1] as Swap).from;
          load[giver] = (load[giver] as number) - 1;
        }
        return [{ state, from: u, to: s }, ...shed, ...gain];
      }
    }
    return undefined;
  }

  /**
   * Breadth-first: `start` sheds a slot (`shedding`) or gains one, passed on along free swaps on
   * items not in `used`, until a node `done` accepts. The items of the chain join `used`.
   */
  #chain(start: number, shedding: boolean, used: Set<ItemState>, done: (node: number) => boolean): Swap[] | undefined {
    const via = new Map<number, Swap>();
    const queue = [start];
    const expanded = new Set<ItemState>();
    for (let head = 0; head < queue.length; head++) {
      const x = queue[head] as number;
      for (const state of shedding ? (this.#on[x] as ItemState[]) : this.#lacking(x)) {
        if (used.has(state) || expanded.has(state) || state.live.includes(x) !== shedding) continue;
        expanded.add(state);
        const cost = this.stored(state, x);
        const others = shedding ? this.#absent(state, cost) : state.live;
        for (const y of others) {
          if (y === start || via.has(y) || this.stored(state, y) !== cost) continue;
          const swap = shedding ? { state, from: x, to: y } : { state, from: y, to: x };
          if (!this.#keepsZones(state, swap.from, swap.to)) continue;
          via.set(y, swap);
          if (!done(y)) {
            queue.push(y);
            continue;
          }
          const path: Swap[] = [];
          for (let node = y, step = via.get(node); step; node = shedding ? step.from : step.to, step = via.get(node)) path.unshift(step);
          for (const step of path) used.add(step.state);
          return path;
        }
      }
    }
    return undefined;
  }

  /** Nodes not on the item that are stored on it (`stored`) or not. */
  #absent(state: ItemState, stored: boolean): number[] {
    const nodes: number[] = [];
    if (stored) {
      for (const id of state.stored) {
        const node = this.#plan.indexOf.get(id);
        if (node !== undefined && !state.live.includes(node)) nodes.push(node);
      }
    } else {
      for (let n = 0; n < this.#plan.nodes.length; n++) if (!state.live.includes(n) && !this.stored(state, n)) nodes.push(n);
    }
    return nodes;
  }

  /** Items without `node` where it could replace a holder for free: ones that stored it, or hold added nodes. */
  *#lacking(node: number): Iterable<ItemState> {
    yield* this.#dropped[node] as Set<ItemState>;
    for (const state of this.#added) if (!this.stored(state, node)) yield state;
  }

  /** True when swapping `from` for `to` leaves the item at least as many distinct zones. */
  #keepsZones(state: ItemState, from: number, to: number): boolean {
    const zones = (list: readonly number[]) => new Set(list.map((n) => this.#plan.zone(n))).size;
    return zones(state.live.map((n) => (n === from ? to : n))) >= zones(state.live);
  }
}
