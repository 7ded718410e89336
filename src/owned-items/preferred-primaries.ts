/**
 * Preferred primaries (partitions' `preferredMasters`): after the assignment engine placed the
 * items, each item whose preferred node is live gets it as its acting node (first position),
 * with the fewest moves:
 * 1. the preferred node is on the item already: it swaps roles with the first node (no slot
 *    moves; the old primary stays as a standby);
 * 2. it is not, and the item has fewer nodes than `replicas`: it is added, first (one slot);
 * 3. it is not, and the list is full: it takes the slot of the item's last live node, then goes
 *    first, and that node takes one of the preferred node's slots on another item (a standby
 *    slot first), so both keep the load the engine balanced (two slots move). A node inside its
 *    offline grace keeps its slot (placeItems' promise), so when every other node of the item is
 *    in grace the preference waits for the grace to end.
 * 4. a node that gained a primary role by 1-3 hands one back by a role swap on an item without
 *    a preference, to a node that lost one (restoreRoleCounts).
 * Slot loads and primary counts stay as the engine balanced them whenever an exchange exists,
 * so placing again from the result keeps it (the engine keeps stored slots and primaries within
 * their bounds) and nothing moves twice.
 */
import type { Assignment } from '../assignment/index.js';

export function preferPrimaries(
  assignment: Assignment,
  preferred: Readonly<Record<string, string>>,
  live: ReadonlySet<string>,
  replicas: number,
): Assignment {
  const lists = new Map<string, string[]>(Object.entries(assignment).map(([item, list]) => [item, [...list]]));
  const preferredOf = (item: string) => (Object.hasOwn(preferred, item) ? preferred[item] : undefined);
  for (const [item, list] of lists) {
    const node = preferredOf(item);
    if (node === undefined || !live.has(node) || list[0] === node) continue;
    // 1.
    if (list.includes(node)) {
      list.splice(list.indexOf(node), 1);
      list.unshift(node);
      continue;
    }
    // 2.
    if (list.length < replicas) {
      list.unshift(node);
      continue;
    }
    // 3.
    const at = list.findLastIndex((id) => live.has(id));
    if (at < 0) continue;
    const [displaced] = list.splice(at, 1) as [string];
    list.unshift(node);
    exchange(lists, node, displaced, preferredOf);
  }
  restoreRoleCounts(assignment, lists, (item) => {
    const node = preferredOf(item);
    return node !== undefined && live.has(node);
  });
  const result: Record<string, readonly string[]> = {};
  for (const [item, list] of lists) Object.defineProperty(result, item, { value: Object.freeze(list), enumerable: true });
  return Object.freeze(result);
}

/**
 * Step 3's second move: `node` took a slot of `displaced`, so `displaced` takes one slot of
 * `node` on another item (a standby slot first, on an item without a preference for `node` and
 * without `displaced`), and both keep the load the engine balanced.
 */
function exchange(lists: Map<string, string[]>, node: string, displaced: string, preferredOf: (item: string) => string | undefined): void {
  let best: { list: string[]; at: number } | null = null;
  for (const [item, list] of lists) {
    const at = list.indexOf(node);
    if (at < 0 || list.includes(displaced) || preferredOf(item) === node) continue;
    if (best === null || (best.at === 0 && at > 0)) best = { list, at };
  }
  if (best !== null) best.list[best.at] = displaced;
}

/**
 * Step 4: a node that gained a primary role over what the engine gave it hands one back, on an
 * item without a live preference where it acts and a node that lost one is a standby (a role
 * swap, no slot moves), so every node ends with the engine's count of primaries when it can.
 */
function restoreRoleCounts(engine: Assignment, lists: Map<string, string[]>, pinned: (item: string) => boolean): void {
  const target = primaryCounts(Object.values(engine));
  const now = primaryCounts([...lists.values()]);
  const gap = (node: string) => (now.get(node) ?? 0) - (target.get(node) ?? 0);
  for (const [item, list] of lists) {
    const primary = list[0];
    if (primary === undefined || pinned(item) || gap(primary) <= 0) continue;
    const taker = list.find((node) => gap(node) < 0);
    if (taker === undefined) continue;
    list.splice(list.indexOf(taker), 1);
    list.unshift(taker);
    now.set(primary, (now.get(primary) ?? 0) - 1);
    now.set(taker, (now.get(taker) ?? 0) + 1);
  }
}

function primaryCounts(lists: Iterable<readonly string[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const list of lists) if (list[0] !== undefined) counts.set(list[0], (counts.get(list[0]) ?? 0) + 1);
  return counts;
}
