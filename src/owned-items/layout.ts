/**
 * What a kind of owned item supplies to the engine (buckets, partitions): its item ids, where
 * and how its placement is stored, what a node should hold given what it read, and its
 * elections. Everything else (placing, grace, fenced writes, following, the handoff, events)
 * is the engine's and written once.
 */
import type { Backend, Kv } from '../contract/contract.js';
import type { Json } from '../contract/json.js';
import type { CorruptDocumentError } from '../errors.js';
import type { Placement, StoredPlacement } from './place-items.js';

/** One KV write; `expect` as in KvWriteOptions.expectVersion (undefined: overwrite a corrupt value). */
export type KvOp =
  | { readonly kind: 'put'; readonly key: string; readonly value: Json; readonly expect: number | null | undefined }
  | { readonly kind: 'delete'; readonly key: string; readonly expect: number | undefined };

/** Reports a corrupt stored document (its key is on the error); the reader goes on without it. */
export type CorruptReporter = (error: CorruptDocumentError) => void;

/** Where a node stands when it decides what to hold. */
export interface Standing {
  readonly nodeId: string;
  /** The session's renewals succeed now (not suspended or lost). */
  readonly sessionLive: boolean;
  /** This node leads the cluster now (its placement loop runs). */
  readonly leadsCluster: boolean;
}

/**
 * `K` is the item as users see it (bucket id string, partition number), `S` the stored layout
 * as the leader reads it, `V` what a node reads to decide what it holds.
 */
export interface OwnedItemsLayout<K extends string | number, S, V> {
  /** What an item is called in logs and errors ("bucket", "partition"); also the log field. */
  readonly noun: string;
  /** What the leader's passes write, for logs ("bucket assignment", "partition placement"). */
  readonly what: string;
  /** Every item, in order. */
  readonly items: readonly K[];
  /** Nodes per item: the acting one plus standbys. */
  readonly replicas: number;
  /** item (as the engine names it) -> the node that should act for it while live; optional (partitions' preferredMasters). */
  readonly preferredPrimaries?: Readonly<Record<string, string>>;
  /** The election a node holds while it acts for `item`. */
  electionOf(item: K): string;

  // ---- the leader's side ----
  /** Reads the stored layout; corrupt documents go to `onCorrupt` and read as absent (the leader rewrites them). */
  readStored(kv: Kv, onCorrupt: CorruptReporter, signal: AbortSignal): Promise<S>;
  /** The stored layout in the engine's terms. */
  storedPlacement(stored: S): StoredPlacement;
  /**
   * Whether nodes hold the items by this stored placement (a disabled partitioned resource: no,
   * the cluster leader holds them all). When false, a move hands nothing over and the move
   * limits do not apply. Absent: always.
   */
  followsPlacement?(stored: S): boolean;
  /**
   * The writes that take the store from `stored` to `next`, in phases applied in order (each
   * write fenced by the engine). A phase's writes are made together: each names a different key.
   */
  writes(stored: S, next: Placement): readonly (readonly KvOp[])[];

  // ---- every node's side ----
  /** KV prefixes whose changes may change what `nodeId` should hold. */
  watchPrefixes(nodeId: string): readonly string[];
  /** Whether membership changes may change what a node should hold (partitions: the acting master is the first LIVE node). */
  readonly watchesMembers: boolean;
  /**
   * What a node reads to decide what it holds. A CorruptDocumentError thrown here keeps the
   * node's current view until the leader repairs the document.
   */
  readView(backend: Backend, nodeId: string, onCorrupt: CorruptReporter, signal: AbortSignal): Promise<V>;
  /** The items `standing.nodeId` should hold, given its last view. */
  wanted(view: V, standing: Standing): ReadonlySet<K>;
  /**
   * A graceful leave (the node closes and does not mean to come back soon): marks it in the
   * store so the leader moves its items at once instead of after the grace. Optional.
   */
  leave?(kv: Kv, nodeId: string): Promise<void>;
}
