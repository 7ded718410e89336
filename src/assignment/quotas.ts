/**
 * Fair shares and the integer bounds around them.
 *
 * The fair share of a node is the sum, over items, of its fair part of each item: an item that
 * needs `n` live slots splits them over the live nodes in proportion to their weights, but at
 * most one whole slot per node (a node holds an item once). With equal weights, or whenever no
 * node's part reaches 1, this is the plain `slots * weight / totalWeight`; when a heavy node
 * would get more than one slot of an item, the excess goes to the others by weight. Such
 * shares are always reachable within 1: the fractional split is a flow, and a flow with integer
 * bounds has an integer solution with each node's total rounded down or up.
 */

/**
 * Tolerance for deciding that a share is a whole number. Shares are at most ~1e6 and summed
 * from at most ~1e6 terms, so their rounding error stays below 1e-9; without it,
 * 2.9999999999 would count as "between 2 and 3".
 */
const EPSILON = 1e-9;

/** Each node's fair share rounded down and up: a balanced count lies in [floor, ceil]. */
export interface Bounds {
  readonly floor: readonly number[];
  readonly ceil: readonly number[];
}

/**
 * Fair shares of slots for items needing `needs[j]` live slots each, over nodes with `weights`.
 * Items needing the same number of slots split identically, so each distinct need is
 * water-filled once and multiplied by how many items have it.
 */
export function slotShares(needs: readonly number[], weights: readonly number[]): number[] {
  const itemsByNeed = new Map<number, number>();
  for (const need of needs) if (need > 0) itemsByNeed.set(need, (itemsByNeed.get(need) ?? 0) + 1);
  const shares = new Array<number>(weights.length).fill(0);
  const ones = weights.map(() => 1);
  for (const need of [...itemsByNeed.keys()].sort((a, b) => a - b)) {
    const part = waterFill(need, weights, ones);
    const items = itemsByNeed.get(need) as number;
    part.forEach((p, i) => (shares[i] = (shares[i] as number) + p * items));
  }
  return shares;
}

/** Each share rounded down and up (a whole share, up to float error, gives floor = ceil). */
export function shareBounds(shares: readonly number[]): Bounds {
  const floor = shares.map((share) => Math.floor(share + EPSILON));
  const ceil = shares.map((share, i) => Math.max(floor[i] as number, Math.ceil(share - EPSILON)));
  return { floor, ceil };
}

/**
 * The exact (real-valued) shares of `total` by weight, at most `caps[i]` each (needs
 * `sum(caps) >= total`).
 * 1. Visit nodes in increasing cap/weight order; a node whose cap is below its weighted part of
 *    what is left gets its cap, and the others share the rest.
 * 2. The first node whose cap is not reached, and all after it, split what is left by weight.
 */
export function waterFill(total: number, weights: readonly number[], caps: readonly number[]): number[] {
  const count = weights.length;
  const order = Array.from({ length: count }, (_, i) => i);
  const ratio = (i: number) => (caps[i] as number) / (weights[i] as number);
  order.sort((a, b) => ratio(a) - ratio(b) || a - b);
  const shares = new Array<number>(count).fill(0);
  let left = total;
  let weightLeft = 0;
  for (let i = 0; i < count; i++) weightLeft += weights[i] as number;
  let k = 0;
  for (; k < count; k++) {
    const i = order[k] as number;
    const cap = caps[i] as number;
    if (cap > (left * (weights[i] as number)) / weightLeft) break;
    shares[i] = cap;
    left -= cap;
    weightLeft -= weights[i] as number;
  }
  for (; k < count; k++) {
    const i = order[k] as number;
    shares[i] = (left * (weights[i] as number)) / weightLeft;
  }
  return shares;
}
