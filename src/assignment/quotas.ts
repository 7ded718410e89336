/**
 * Integer quotas: how many of `total` units each node should get, in proportion to its weight,
 * never more than its cap, each within 1 of its exact fair share.
 */

/**
 * Tolerance for deciding that a share is a whole number. Shares are at most ~1e6 and computed
 * with a few float operations, so their rounding error is below 1e-9 by orders of magnitude;
 * without it, 2.9999999999 would count as "between 2 and 3".
 */
const EPSILON = 1e-9;

/** Quotas and the fair-share bounds they respect (`floor[i] <= quota[i] <= ceil[i]`). */
export interface Quotas {
  readonly quota: readonly number[];
  readonly floor: readonly number[];
  readonly ceil: readonly number[];
}

/**
 * Splits `total` over nodes with `weights`, at most `caps[i]` each (needs `sum(caps) >= total`).
 * The exact share is water-filled: nodes whose weighted share exceeds their cap get the cap, the
 * rest is split by weight among the others. Rounding remainders go first to nodes whose
 * `prefer` (what they hold today) exceeds their floor, so keeping today's units moves the least.
 *
 * Steps:
 * 1. Water-fill the exact shares, visiting nodes in increasing cap/weight order.
 * 2. Round each share down; the `total - sum(floors)` remainder units go to nodes whose share is
 *    not whole, ranked: holds more than its floor today, larger fractional part, lower index.
 */
export function quotas(total: number, weights: readonly number[], caps: readonly number[], prefer: readonly number[]): Quotas {
  const count = weights.length;
  const shares = waterFill(total, weights, caps);
  const floor = shares.map((share, i) => Math.min(caps[i] as number, Math.floor(share + EPSILON)));
  const ceil = shares.map((share, i) => Math.min(caps[i] as number, Math.max(floor[i] as number, Math.ceil(share - EPSILON))));
  const quota = [...floor];
  let remainder = total - floor.reduce((sum, f) => sum + f, 0);
  const candidates: number[] = [];
  for (let i = 0; i < count; i++) if ((ceil[i] as number) > (floor[i] as number)) candidates.push(i);
  const holds = (i: number) => ((prefer[i] as number) > (floor[i] as number) ? 1 : 0);
  const fraction = (i: number) => (shares[i] as number) - (floor[i] as number);
  candidates.sort((a, b) => holds(b) - holds(a) || fraction(b) - fraction(a) || a - b);
  for (const i of candidates) {
    if (remainder <= 0) break;
    quota[i] = (quota[i] as number) + 1;
    remainder--;
  }
  // Defensive: float rounding could leave a unit over; give it to the first node below its cap.
  for (let i = 0; remainder > 0 && i < count; i++) {
    while (remainder > 0 && (quota[i] as number) < (caps[i] as number)) {
      quota[i] = (quota[i] as number) + 1;
      remainder--;
    }
  }
  return { quota, floor, ceil };
}

/** The exact (real-valued) capped weighted shares of `total`. Exported for tests. */
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
  // 1. Nodes whose cap is below the current level are capped; the level then rises for the rest.
  for (; k < count; k++) {
    const i = order[k] as number;
    const cap = caps[i] as number;
    if (cap > (left * (weights[i] as number)) / weightLeft) break;
    shares[i] = cap;
    left -= cap;
    weightLeft -= weights[i] as number;
  }
  // 2. The others share what is left in proportion to their weights.
  for (; k < count; k++) {
    const i = order[k] as number;
    shares[i] = (left * (weights[i] as number)) / weightLeft;
  }
  return shares;
}
