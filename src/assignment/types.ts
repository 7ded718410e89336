/** A live node that can take items. */
export interface AssignmentNode {
  /** Unique node id. */
  readonly id: string;
  /** Relative capacity; default 1, must be > 0. A node of weight 2 gets twice the share. */
  readonly weight?: number;
  /** Failure domain; replicas of one item prefer different zones (best effort). */
  readonly zone?: string;
}

/** What {@link assign} needs: the items, the live nodes and what is stored today. */
export interface AssignmentInput {
  /** Item ids (bucket ids "1".."100", partition ids "0".."23"); no duplicates. */
  readonly items: readonly string[];
  /** Live nodes; ids unique. */
  readonly nodes: readonly AssignmentNode[];
  /** The stored assignment: item -> [primary, ...standbys]. Unknown items and nodes are ignored. */
  readonly previous?: Readonly<Record<string, readonly string[]>>;
  /** Nodes per item (primary plus standbys); a positive integer, default 1. */
  readonly replicas?: number;
  /**
   * Ids of nodes that are gone but still inside their offline grace period: they keep exactly
   * the slots `previous` gives them. An id that is also in `nodes` is treated as live.
   */
  readonly grace?: readonly string[];
}

/** item -> [primary, ...standbys]. */
export type Assignment = Readonly<Record<string, readonly string[]>>;
