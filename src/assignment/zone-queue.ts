/**
 * The fill step's queue of nodes with room, grouped by zone: each zone keeps its nodes in a
 * heap, and the zones themselves sit in a heap ordered by their best node. Finding the best
 * node in a zone an item does not use yet costs a few heap operations, however many nodes share
 * a zone (a single ordered list would have to skip past every node of the item's zones).
 */
import { NodeHeap } from './node-heap.js';
import type { Plan } from './validate.js';

/** What the fill step needs from its queue of nodes with room. */
export interface SlotQueue {
  /** The zone number of `node`. */
  zoneOf(node: number): number;
  /**
   * Takes out the best queued node for an item: from a zone outside `usedZones` if any zone
   * there has room, else the best node of the best zone that is not in `onItem`. `update` then
   * runs for it (change its priority there) and says whether it still has room (it is queued
   * again). Returns the node, or -1 if every queued node is in `onItem`.
   */
  take(usedZones: readonly number[], onItem: readonly number[], update: (node: number) => boolean): number;
  /** Takes every queued node out (for the exchange search); `restore` puts back the ones to keep. */
  drain(): number[];
  /** Queues `nodes` after a `drain`. */
  restore(nodes: readonly number[]): void;
}

/**
 * The queue for the fill step: a `ZoneQueue` when some nodes share a zone, else the plain node
 * heap (every node its own zone, so "a zone the item does not use" is "a node not on it").
 */
export function slotQueue(plan: Plan, priority: readonly number[], nodes: readonly number[]): SlotQueue {
  const zones = new Set(plan.nodes.map((node) => node.zone)).size;
  return zones === plan.nodes.length ? new NodeQueue(plan, priority, nodes) : new ZoneQueue(plan, priority, nodes);
}

/** Nodes with room in one heap; used when no two nodes share a zone. */
class NodeQueue implements SlotQueue {
  readonly #heap: NodeHeap;

  constructor(plan: Plan, priority: readonly number[], nodes: readonly number[]) {
    this.#heap = new NodeHeap(priority, plan.rank);
    this.restore(nodes);
  }

  zoneOf(node: number): number {
    return node;
  }

  take(_usedZones: readonly number[], onItem: readonly number[], update: (node: number) => boolean): number {
    const skipped: number[] = [];
    let chosen = -1;
    for (let node = this.#heap.pop(); node >= 0; node = this.#heap.pop()) {
      if (!onItem.includes(node)) {
        chosen = node;
        break;
      }
      skipped.push(node);
    }
    if (chosen >= 0 && update(chosen)) this.#heap.push(chosen);
    for (const node of skipped) this.#heap.push(node);
    return chosen;
  }

  drain(): number[] {
    const nodes: number[] = [];
    for (let node = this.#heap.pop(); node >= 0; node = this.#heap.pop()) nodes.push(node);
    return nodes;
  }

  restore(nodes: readonly number[]): void {
    for (const node of nodes) this.#heap.push(node);
  }
}

/** Nodes with room grouped by zone (see the file comment). */
class ZoneQueue implements SlotQueue {
  readonly #zoneOf: readonly number[];
  readonly #inZone: readonly NodeHeap[];
  /** Per zone: priority and rank of its best node (what orders `#zones`). */
  readonly #zonePriority: number[];
  readonly #zoneRank: number[];
  readonly #zones: NodeHeap;
  readonly #priority: readonly number[];
  readonly #rank: readonly number[];

  /** Queues `nodes` (those with room). `priority[node]` is read live: change it only inside `take`'s update. */
  constructor(plan: Plan, priority: readonly number[], nodes: readonly number[]) {
    const index = new Map<string, number>();
    this.#zoneOf = plan.nodes.map((node) => {
      const known = index.get(node.zone);
      if (known !== undefined) return known;
      index.set(node.zone, index.size);
      return index.size - 1;
    });
    this.#priority = priority;
    this.#rank = plan.rank;
    this.#inZone = Array.from({ length: index.size }, () => new NodeHeap(priority, plan.rank));
    this.#zonePriority = new Array<number>(index.size).fill(0);
    this.#zoneRank = new Array<number>(index.size).fill(0);
    this.#zones = new NodeHeap(this.#zonePriority, this.#zoneRank);
    this.restore(nodes);
  }

  zoneOf(node: number): number {
    return this.#zoneOf[node] as number;
  }

  take(usedZones: readonly number[], onItem: readonly number[], update: (node: number) => boolean): number {
    const popped: number[] = [];
    let chosen = -1;
    for (let zone = this.#zones.pop(); zone >= 0; zone = this.#zones.pop()) {
      popped.push(zone);
      if (!usedZones.includes(zone)) {
        chosen = this.#popFromZone(zone, onItem);
        break;
      }
    }
    // Every zone with room is used by the item: settle for a node it does not hold yet.
    for (let k = 0; chosen < 0 && k < popped.length; k++) chosen = this.#popFromZone(popped[k] as number, onItem);
    // The chosen node's zone is among the popped ones, so its key may change now.
    if (chosen >= 0 && update(chosen)) this.#inZone[this.zoneOf(chosen)]?.push(chosen);
    for (const zone of popped) this.#refresh(zone);
    return chosen;
  }

  drain(): number[] {
    const nodes: number[] = [];
    for (let zone = this.#zones.pop(); zone >= 0; zone = this.#zones.pop()) {
      const heap = this.#inZone[zone] as NodeHeap;
      for (let node = heap.pop(); node >= 0; node = heap.pop()) nodes.push(node);
    }
    return nodes;
  }

  /** Also used at construction, when nothing is queued yet. */
  restore(nodes: readonly number[]): void {
    for (const node of nodes) this.#inZone[this.zoneOf(node)]?.push(node);
    for (let zone = 0; zone < this.#inZone.length; zone++) this.#refresh(zone);
  }

  /** The best node of `zone` not in `onItem`, taken out of the zone's heap; -1 if none. */
  #popFromZone(zone: number, onItem: readonly number[]): number {
    const heap = this.#inZone[zone] as NodeHeap;
    const skipped: number[] = [];
    let chosen = -1;
    for (let node = heap.pop(); node >= 0; node = heap.pop()) {
      if (!onItem.includes(node)) {
        chosen = node;
        break;
      }
      skipped.push(node);
    }
    for (const node of skipped) heap.push(node);
    return chosen;
  }

  /** Queues `zone` (which must be out of the zone heap) keyed by its best node, if it has one. */
  #refresh(zone: number): void {
    const heap = this.#inZone[zone] as NodeHeap;
    const best = heap.peek();
    if (best < 0) return;
    this.#zonePriority[zone] = this.#priority[best] as number;
    this.#zoneRank[zone] = this.#rank[best] as number;
    this.#zones.push(zone);
  }
}
