/**
 * `npm run bench -- assign`: the assignment engine next to two classic baselines written here,
 * consistent hashing (a ring with 100 virtual nodes per node) and rendezvous hashing (highest
 * random weight), on 100 buckets / 3 nodes, 1024 / 10 and 100000 / 1000, one replica each.
 *
 * Figures: max/min load and their spread; moves on one join and on one leave against the lower
 * bound any balanced result needs (a join: the joiner's floor share; a leave: the leaver's
 * items); compute time of a fresh assignment (median and best of several runs). Targets: spread <= 1,
 * moves equal to the bound, 100000 items over 1000 nodes in < 200 ms.
 */
import { assign, countMoves, loadsOf } from '../src/assignment/index.js';
import type { Assignment } from '../src/assignment/index.js';
import { murmur2Ascii } from '../src/partitions/murmur2.js';
import { quantile, table, writeSection } from './report.js';

/** Virtual nodes per node on the consistent-hashing ring (a common production setting). */
const VIRTUAL_NODES = 100;

interface Scenario {
  readonly items: number;
  readonly nodes: number;
  /** Timed runs per algorithm; fewer for the slow O(items x nodes) rendezvous at scale. */
  readonly runs: number;
}

const SCENARIOS: readonly Scenario[] = [
  { items: 100, nodes: 3, runs: 51 },
  { items: 1024, nodes: 10, runs: 51 },
  { items: 100_000, nodes: 1000, runs: 7 },
];

type Algorithm = (items: readonly string[], nodes: readonly string[], previous?: Assignment) => Assignment;

const ALGORITHMS: readonly (readonly [string, Algorithm])[] = [
  ['baton engine', (items, nodes, previous) => assign({ items, nodes: nodes.map((id) => ({ id })), ...(previous ? { previous } : {}) })],
  ['consistent hashing', consistentHashing],
  ['rendezvous hashing', rendezvousHashing],
];

export async function run(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const scenario of SCENARIOS) {
    const items = Array.from({ length: scenario.items }, (_, i) => String(i + 1));
    const nodes = Array.from({ length: scenario.nodes }, (_, i) => `node-${i}`);
    const joined = [...nodes, `node-${scenario.nodes}`];
    const left = nodes.slice(1);
    for (const [name, algorithm] of ALGORITHMS) {
      const times: number[] = [];
      // Two untimed runs first, so the timed ones measure optimised code, not the compiler.
      let base: Assignment = algorithm(items, nodes);
      algorithm(items, nodes);
      for (let r = 0; r < scenario.runs; r++) {
        const start = performance.now();
        base = algorithm(items, nodes);
        times.push(performance.now() - start);
      }
      const loads = [...loadsOf(base).values()];
      const join = algorithm(items, joined, base);
      const leave = algorithm(items, left, base);
      const joinBound = Math.floor(scenario.items / joined.length);
      const leaveBound = loadsOf(base).get(nodes[0] as string) ?? 0;
      const max = Math.max(...loads);
      const min = loads.length < nodes.length ? 0 : Math.min(...loads);
      rows.push([
        `${scenario.items} / ${scenario.nodes}`,
        name,
        `${max} / ${min}`,
        max - min,
        `${countMoves(base, join)} (${joinBound})`,
        `${countMoves(base, leave)} (${leaveBound})`,
        `${quantile(times, 0.5).toFixed(1)} / ${Math.min(...times).toFixed(1)}`,
      ]);
      console.log(`  ${rows.at(-1)?.join(' | ')}`);
      // Give the event loop a turn between heavy runs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  writeSection(
    'assign',
    [
      '## Assignment engine vs hashing baselines',
      '',
      'One replica per item; a fresh assignment, then one node joins or the first node leaves. Moves are (item, node) slots that are new; the bound in parentheses is the least any balanced result needs (join: the joiner\'s floor share; leave: the leaver\'s items). Time is the median and the best of several fresh assignments after two warm-up runs (the best is the figure least disturbed by other load on the machine). Targets: spread (max - min load) <= 1, moves equal to the bound, 100000 items over 1000 nodes in < 200 ms.',
      '',
      table(['items / nodes', 'algorithm', 'max / min load', 'spread', 'join moves (bound)', 'leave moves (bound)', 'time ms (median / best)'], rows),
    ].join('\n'),
  );
}

/** Each item goes to the first virtual node clockwise from its hash. */
function consistentHashing(items: readonly string[], nodes: readonly string[]): Assignment {
  const ring: { point: number; node: string }[] = [];
  for (const node of nodes) {
    for (let v = 0; v < VIRTUAL_NODES; v++) ring.push({ point: hash32(`${node}#${v}`), node });
  }
  ring.sort((a, b) => a.point - b.point || (a.node < b.node ? -1 : 1));
  const result: Record<string, readonly string[]> = {};
  for (const item of items) {
    const h = hash32(item);
    let lo = 0;
    let hi = ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ring[mid] as { point: number }).point < h) lo = mid + 1;
      else hi = mid;
    }
    result[item] = [(ring[lo % ring.length] as { node: string }).node];
  }
  return result;
}

/** Each item goes to the node with the highest mix(hash(item), hash(node)). */
function rendezvousHashing(items: readonly string[], nodes: readonly string[]): Assignment {
  const nodeHashes = nodes.map(hash32);
  const result: Record<string, readonly string[]> = {};
  for (const item of items) {
    const h = hash32(item);
    let best = 0;
    let bestScore = -1;
    for (let n = 0; n < nodes.length; n++) {
      const score = mix32(h ^ (nodeHashes[n] as number));
      if (score > bestScore) {
        bestScore = score;
        best = n;
      }
    }
    result[item] = [nodes[best] as string];
  }
  return result;
}

/** Unsigned 32-bit Kafka murmur2 of an ASCII string. */
function hash32(text: string): number {
  return murmur2Ascii(text, text.length) >>> 0;
}

/** murmur3's 32-bit finaliser: spreads the combined hash so that every node has an equal chance. */
function mix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
