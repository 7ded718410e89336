/**
 * How the bucket scenario suites reach one backend, plus the small helpers they share: open
 * nodes (one backend + session each, as separate processes would), read the stored table.
 */
import type { Backend, Leadership, Session, SessionTiming } from '../../src/contract/index.js';
import { readAssignmentTable } from '../../src/buckets/assignment-layout.js';
import type { BucketId } from '../../src/buckets/bucket-ids.js';
import type { CorruptDocumentError } from '../../src/errors.js';

export interface BucketHarness {
  readonly name: string;
  readonly timing: SessionTiming;
  setup(): Promise<void>;
  /** A new connection for `cluster`, as another process would open. */
  open(cluster: string): Promise<Backend>;
  /** Stores raw text under a KV key, bypassing validation (to plant corrupt documents). */
  writeRawKv(cluster: string, key: string, text: string): Promise<void>;
  teardown(): Promise<void>;
}

export interface TestNode {
  readonly id: string;
  readonly backend: Backend;
  readonly session: Session;
}

/** Opens nodes of one cluster and closes all of them in `close()`. */
export class TestCluster {
  readonly #harness: BucketHarness;
  readonly name: string;
  readonly #backends: Backend[] = [];

  constructor(harness: BucketHarness, name: string) {
    this.#harness = harness;
    this.name = name;
  }

  async node(id: string, info: Record<string, string | number> = {}): Promise<TestNode> {
    const backend = await this.#harness.open(this.name);
    this.#backends.push(backend);
    const session = await backend.openSession({ nodeId: id, info, timing: this.#harness.timing });
    return { id, backend, session };
  }

  /** A connection without a session (reads, raw checks). */
  async reader(): Promise<Backend> {
    const backend = await this.#harness.open(this.name);
    this.#backends.push(backend);
    return backend;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#backends.map((b) => b.close()));
  }
}

export function lead(node: TestNode): Promise<Leadership> {
  return node.session.campaign('cluster-leader', { nodeId: node.id });
}

/** node id -> buckets as stored (corrupt documents reported to `onCorrupt`, listed as []). */
export async function storedTable(
  backend: Backend,
  count = 100,
  onCorrupt: (error: CorruptDocumentError) => void = () => undefined,
): Promise<Map<string, BucketId[]>> {
  const table = await readAssignmentTable(backend.kv, count, onCorrupt);
  const result = new Map<string, BucketId[]>();
  for (const [nodeId, record] of table) {
    const a = record.assignments;
    if (a !== null) result.set(nodeId, a === 'corrupt' ? [] : a.value);
  }
  return result;
}

/** How many (bucket, node) slots the table lists, and how many distinct buckets. */
export function slotCount(table: ReadonlyMap<string, readonly BucketId[]>): { slots: number; distinct: number } {
  const all = [...table.values()].flat();
  return { slots: all.length, distinct: new Set(all).size };
}

export function loads(table: ReadonlyMap<string, readonly BucketId[]>): number[] {
  return [...table.values()].map((b) => b.length);
}

let clusterSeq = 0;
/** A cluster name unique to this test run. */
export function freshCluster(prefix: string): string {
  clusterSeq++;
  return `${prefix}-${process.pid}-${clusterSeq}-${Math.floor(Math.random() * 1e6)}`;
}
