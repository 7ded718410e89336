import { validateElectionName, validateSegment } from '../../contract/names.js';
import { ZkKvRoot, type KvPaths } from './zk-kv-root.js';

/** An election candidate znode name: `n_` + ZooKeeper's 10-digit sequence suffix. */
const CANDIDATE = /^n_(\d{10})$/;

/**
 * Where baton keeps one cluster's state in ZooKeeper (inside the chroot):
 *
 * ```
 * /{cluster}/baton/elections/{name}/n_0000000007   ephemeral sequential: lowest leads
 * /{cluster}/baton/members/{nodeId}                ephemeral: {"info": {...}}
 * /{cluster}/baton/kv/{key segments...}            persistent: the JSON document
 * ```
 * A KV key `a/b` is the znode `kv/a/b`; a znode with no data is only a parent of deeper keys.
 */
export class ZkLayout implements KvPaths {
  readonly root: string;
  readonly elections: string;
  readonly members: string;
  readonly kv: string;
  readonly #kvPaths: ZkKvRoot;

  constructor(cluster: string) {
    this.root = `/${validateSegment('cluster name', cluster)}/baton`;
    this.elections = `${this.root}/elections`;
    this.members = `${this.root}/members`;
    this.kv = `${this.root}/kv`;
    this.#kvPaths = new ZkKvRoot(this.kv);
  }

  election(name: string): string {
    return `${this.elections}/${validateElectionName(name)}`;
  }

  member(nodeId: string): string {
    return `${this.members}/${validateSegment('node id', nodeId)}`;
  }

  kvPath(key: string): string {
    return this.#kvPaths.kvPath(key);
  }

  /** The znode under which every key with `prefix` lives (`kv` itself for ''). */
  kvPrefixPath(prefix: string): string {
    return this.#kvPaths.kvPrefixPath(prefix);
  }

  /** The key a znode path under `kv` stands for. */
  keyOf(path: string): string {
    return this.#kvPaths.keyOf(path);
  }
}

/**
 * Whether `name` is the first candidate its election's znode ever had: ZooKeeper appends the
 * parent's cversion (how many children were created and deleted under it) to a sequential
 * name, so `n_0000000000` was created when the znode had never had a child. Every later
 * candidate gets a higher number, and the znode cannot be deleted (and its count restarted)
 * while it holds this one: it stays the lowest for as long as it exists.
 */
export function isFirstCandidate(name: string): boolean {
  return name === 'n_0000000000';
}

/** Candidate znode names sorted by sequence (lowest first); other children are ignored. */
export function sortCandidates(children: readonly string[]): string[] {
  return children.filter((c) => CANDIDATE.test(c)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
