/**
 * A binary max-heap of node indices ordered by a priority (largest first), then by a fixed
 * rank (lowest first), so the fill step hands each free slot to the node that needs it most,
 * deterministically. A node's priority may change only while it is out of the heap
 * (pop, update, push back).
 */
export class NodeHeap {
  readonly #priority: readonly number[];
  readonly #rank: readonly number[];
  readonly #heap: number[] = [];

  /** `priority[i]` is read live: update it only for nodes that are not in the heap. `rank` breaks ties. */
  constructor(priority: readonly number[], rank: readonly number[]) {
    this.#priority = priority;
    this.#rank = rank;
  }

  get size(): number {
    return this.#heap.length;
  }

  push(node: number): void {
    const heap = this.#heap;
    heap.push(node);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.#before(heap[child] as number, heap[parent] as number)) break;
      this.#swap(child, parent);
      child = parent;
    }
  }

  /** The first node without removing it, or -1 when empty. */
  peek(): number {
    return this.#heap[0] ?? -1;
  }

  /** Removes and returns the first node, or -1 when empty. */
  pop(): number {
    const heap = this.#heap;
    if (heap.length === 0) return -1;
    const top = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    let parent = start;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let first = parent;
      if (left < heap.length && this.#before(heap[left] as number, heap[first] as number)) first = left;
      if (right < heap.length && this.#before(heap[right] as number, heap[first] as number)) first = right;
      if (first === parent) return;
      this.#swap(parent, first);
      parent = first;
    }
  }

  #before(a: number, b: number): boolean {
    const ra = this.#priority[a] as number;
    const rb = this.#priority[b] as number;
    return ra > rb || (ra === rb && (this.#rank[a] as number) < (this.#rank[b] as number));
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const t = heap[i] as number;
    heap[i] = heap[j] as number;
    heap[j] = t;
  }
}
