/**
 * The Pinot-facing face of one partitioned resource: which keys this node leads (the hot path),
 * who leads the others, and `acquired` / `released` events. It reads everything from the
 * resource's owned-items engine (OwnedItems over partition-layout.ts), which outlives sessions.
 */
import type { Member } from '../contract/contract.js';
import { isJsonObject } from '../contract/json.js';
import type { AcquiredListener, Held, ReleasedListener } from '../holding/index.js';
import type { OwnedItems } from '../owned-items/owned-items.js';
import { partitionOf } from './key-partition.js';
import { actingMaster, type ResourceView } from './partition-layout.js';
import { leadControllerId } from './pinot-participant.js';
import type { ResourceState } from './resource-layout.js';
import type { PartitionResourceOptions } from './resource-options.js';

/** The engine of one resource: partitions by number, the stored state, what a node reads. */
export type PartitionItems = OwnedItems<number, ResourceState, ResourceView>;

/** The answer of {@link PartitionLeadership.isLeaderFor}; `token` is null when not leading. */
export interface LeaderAnswer {
  readonly leader: boolean;
  readonly partition: number;
  /** Fencing token: the term of election `partition/{resource}/{partition}` held by this node. */
  readonly token: number | null;
}

/**
 * Per-key leadership of one resource.
 *
 * @example
 * const orders = node.partitions('leadControllerResource');
 * orders.on('acquired', (partition, { fence, signal }) => runTablesOf(partition, fence, signal));
 * if (orders.isLeaderFor('baseballStats_OFFLINE').leader) handle();
 */
export class PartitionLeadership {
  readonly options: PartitionResourceOptions;
  readonly nodeId: string;
  /** One frozen answer per partition, replaced (never mutated) on every change: no allocation per call. */
  #answers: readonly LeaderAnswer[];
  readonly #notLeading: readonly LeaderAnswer[];
  /** The holding behind each leading answer: its signal is judged on the monotonic clock when read. */
  readonly #held: (Held | null)[];
  readonly #items: PartitionItems;
  /** Registered keys by partition, as computed from `#keysOfView`. */
  #keysByPartition: readonly (readonly string[])[];
  #keysOfView: ResourceView | null = null;

  /**
   * @internal Answers for `items`, the engine of the resource `options` on node `nodeId`; listen
   * to it before it starts. Users get it as `node.partitions(name)`.
   */
  constructor(options: PartitionResourceOptions, nodeId: string, items: PartitionItems) {
    this.options = options;
    this.nodeId = nodeId;
    this.#items = items;
    // Registered first, so answers change before any user listener runs.
    items.on('acquired', (partition, held) => this.#acquired(partition, held));
    items.on('released', (partition) => this.#released(partition));
    this.#notLeading = Object.freeze(Array.from({ length: options.partitions }, (_, partition) => Object.freeze({ leader: false, partition, token: null })));
    this.#answers = this.#notLeading;
    this.#held = Array.from({ length: options.partitions }, () => null);
    this.#keysByPartition = Array.from({ length: options.partitions }, () => []);
  }

  get name(): string {
    return this.options.name;
  }

  /** The partition of `key` (Pinot's table -> partition mapping). */
  partitionOf(key: string): number {
    return partitionOf(key, this.options.partitions);
  }

  /**
   * Whether this node leads `key` now, judged when asked: a leading answer stands only while
   * the partition's term is still held on the monotonic clock (a process resumed after a freeze
   * answers "not leading" at once, before its deadline timer has run). Hot path: one hash, two
   * array reads and one clock read, no allocation.
   */
  isLeaderFor(key: string): LeaderAnswer {
    const partition = partitionOf(key, this.options.partitions);
    return this.#leads(partition) ? (this.#answers[partition] as LeaderAnswer) : (this.#notLeading[partition] as LeaderAnswer);
  }

  /** Partitions this node leads now (judged when asked, like isLeaderFor), ascending. */
  leading(): number[] {
    return this.#answers.filter((a) => a.leader && this.#leads(a.partition)).map((a) => a.partition);
  }

  /** The node leading `key`'s partition as far as this node knows, or null while nobody does. */
  leaderOf(key: string): string | null {
    return this.leaderOfPartition(this.partitionOf(key));
  }

  /**
   * The node leading `partition`: this node while it holds it; else, enabled, the acting master
   * (the first live node of the partition's placement), disabled, the cluster leader.
   */
  leaderOfPartition(partition: number): string | null {
    if (this.#leads(partition)) return this.nodeId;
    const view = this.#items.view();
    if (view === null) return null;
    const candidate = this.enabled() ? actingMaster(view, partition) : this.#items.clusterLeaderId();
    return candidate === this.nodeId ? null : candidate;
  }

  /** The partition's leader as `GET /leader/tables` names it (see `leadControllerIdFormat`). */
  leadControllerIdOf(partition: number): string | null {
    return leadControllerId(this.leaderOfPartition(partition), this.options.leadControllerIdFormat, this.#items.view()?.members ?? []);
  }

  /** The stored flag (or the configured default before one is stored). */
  enabled(): boolean {
    return this.#items.view()?.state.enabled ?? this.options.enabledByDefault;
  }

  /** The stored placement as this node last read it (partition -> [master, ...standbys]), or null. */
  placement(): Readonly<Record<string, readonly string[]>> | null {
    return this.#items.view()?.state.placement?.assignment ?? null;
  }

  /** Registered keys whose partition is `partition`, sorted. */
  keysOf(partition: number): readonly string[] {
    const view = this.#items.view();
    if (view !== this.#keysOfView) {
      const byPartition: string[][] = Array.from({ length: this.options.partitions }, () => []);
      for (const key of view?.state.keys ?? []) byPartition[this.partitionOf(key)]?.push(key);
      [this.#keysByPartition, this.#keysOfView] = [byPartition, view];
    }
    return this.#keysByPartition[partition] ?? [];
  }

  /** The base URL a live node advertises (`http://host:port`), or null when unknown. */
  addressOf(nodeId: string): string | null {
    const member = this.#items.view()?.members.find((m) => m.nodeId === nodeId);
    return member === undefined ? null : advertisedUrl(member);
  }

  /**
   * Adds a listener; returns a function that removes it. `acquired` tells that this node now
   * leads a partition (with its token, fence and signal); `released` is awaited before the
   * partition's election is given up. InvalidArgumentError for an unknown event.
   */
  on(event: 'acquired', listener: AcquiredListener<[number]>): () => void;
  on(event: 'released', listener: ReleasedListener<[number]>): () => void;
  on(event: 'acquired' | 'released', listener: AcquiredListener<[number]> | ReleasedListener<[number]>): () => void {
    return this.#items.on(event as 'acquired', listener as AcquiredListener<[number]>);
  }

  #acquired(partition: number, held: Held): void {
    this.#held[partition] = held;
    this.#setAnswer(partition, Object.freeze({ leader: true, partition, token: held.token }));
  }

  #released(partition: number): void {
    this.#held[partition] = null;
    this.#setAnswer(partition, this.#notLeading[partition] as LeaderAnswer);
  }

  /**
   * Leading `partition` at this moment: an answer says so and its term is still held. Reading
   * the holding's signal judges the term's deadline (Held); a term found over ends at once,
   * and the handoff calls `released` for it.
   */
  #leads(partition: number): boolean {
    return this.#answers[partition]?.leader === true && this.#held[partition]?.signal.aborted === false;
  }

  #setAnswer(partition: number, answer: LeaderAnswer): void {
    const next = [...this.#answers];
    next[partition] = answer;
    this.#answers = Object.freeze(next);
  }
}

/** `http://host:port` from a member's advertised info (`host`, `ports.http`). */
export function advertisedUrl(member: Member): string | null {
  const { host, ports } = member.info;
  const port = isJsonObject(ports) ? ports['http'] : undefined;
  if (typeof host !== 'string' || typeof port !== 'number') return null;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
