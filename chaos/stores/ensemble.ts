/**
 * A replicated store's servers as the ensemble faults see them (ZooKeeper ensemble, etcd
 * cluster): kill and start a member, find the leader, cut a member from its peers.
 */
export interface EnsembleMember {
  readonly name: string;
  stop(): Promise<void>;
  start(): void;
  /** Whether it leads now (false when it does not answer). */
  isLeader(): Promise<boolean>;
  /** Drops what it sends to its peers, its clients still answered; `heal()` undoes it. */
  cutFromPeers(): { heal(): void };
}

export interface Ensemble {
  readonly members: readonly EnsembleMember[];
  /** Waits until `count` members serve (a quorum when it is a majority). */
  waitServing(count: number): Promise<void>;
}
