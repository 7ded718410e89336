/**
 * placeItems for one leader's passes, remembering the last result. An idle cluster's leader runs
 * a pass every placement interval as a safety net (buckets.assignIntervalMs, 60 s by default), and
 * such a pass finds the inputs of the last one: the same members, the same stored layout, no
 * grace running. placeItems is a pure function of its input, so the placement is the one it
 * returned then; planning it again cost the leader about 100 ms of JavaScript and 110 ms of
 * garbage collection a pass at 10,000 buckets, the key costs a few ms (docs/benchmarks.md,
 * scale-mysql-idle-memo). The pass right after one that wrote still plans: its stored layout
 * is what that one wrote. A throttled pass is always planned: it depends on the handoffs the
 * leader tracks, which are not in the key.
 */
import { placeItems, type PlaceItemsInput, type Placement } from './place-items.js';

interface Remembered {
  /** The input's item list, compared by identity (one leader's passes share one). */
  readonly items: readonly string[];
  readonly key: string;
  readonly placement: Placement;
}

export class PlacementMemo {
  readonly #place: (input: PlaceItemsInput) => Placement;
  #last: Remembered | undefined;

  /** `place`: the planner (placeItems; a test counts its calls). */
  constructor(place: (input: PlaceItemsInput) => Placement = placeItems) {
    this.#place = place;
  }

  /** placeItems(input), or the last placement when the input equals the last one's. */
  place(input: PlaceItemsInput): Placement {
    if (input.throttle !== undefined) {
      this.#last = undefined;
      return this.#place(input);
    }
    const key = keyOf(input);
    const last = this.#last;
    if (last !== undefined && last.items === input.items && last.key === key) return last.placement;
    const placement = this.#place(input);
    this.#last = { items: input.items, key, placement };
    return placement;
  }
}

/** Every part of an unthrottled input but the item list, as one string (Maps and Sets as their entries, in order). */
function keyOf(input: PlaceItemsInput): string {
  const { replicas, members, stored, graceUsedMs, offlineGraceMs, preferredPrimaries } = input;
  return JSON.stringify([
    replicas,
    offlineGraceMs,
    members,
    stored.assignment,
    [...stored.graceUsedMs],
    [...stored.departed],
    [...graceUsedMs],
    preferredPrimaries ?? null,
  ]);
}
