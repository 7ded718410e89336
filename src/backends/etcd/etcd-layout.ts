import { validateElectionName, validateKey, validatePrefix } from '../../contract/names.js';

/** Key prefix that holds every cluster's keys unless the store URL names another. */
export const DEFAULT_ETCD_PREFIX = '/baton';

/**
 * Where baton keeps a cluster's state in etcd, under the URL's prefix (`/baton` by default):
 *
 *     {prefix}/{cluster}/kv/{key}                      KV documents (JSON)
 *     {prefix}/{cluster}/members/{nodeId}              {"info": {...}}, attached to the session's lease
 *     {prefix}/{cluster}/elections/{name}/{leaseId}    {"nodeId", "info", "since"}, attached to the lease
 *     {prefix}/{cluster}/withdrawn/{name}/{leaseId}    {}, attached to the lease: written by the clean-up of a
 *                                                      campaign whose create may still land (etcd-campaign.ts)
 *
 * A candidate's key is named after its session's lease (etcd's election recipe): a session has
 * at most one candidate per election, and the lowest create revision leads.
 */
export class EtcdLayout {
  /** The URL's prefix, holding every cluster's keys. */
  readonly prefix: string;
  readonly root: string;

  constructor(prefix: string, cluster: string) {
    this.prefix = prefix;
    this.root = `${prefix}/${cluster}`;
  }

  get kvRoot(): string {
    return `${this.root}/kv/`;
  }
  kv(key: string): string {
    return `${this.kvRoot}${validateKey(key)}`;
  }
  kvPrefix(prefix: string): string {
    return `${this.kvRoot}${validatePrefix(prefix)}`;
  }
  get members(): string {
    return `${this.root}/members/`;
  }
  member(nodeId: string): string {
    return `${this.members}${nodeId}`;
  }
  /** Every election's candidates are under it. */
  get elections(): string {
    return `${this.root}/elections/`;
  }
  election(name: string): string {
    return `${this.elections}${validateElectionName(name)}/`;
  }
  candidate(election: string, sessionId: string): string {
    return `${this.election(election)}${sessionId}`;
  }
  /** Outside the election's prefix: never a candidate, never in the line. */
  withdrawal(election: string, sessionId: string): string {
    return `${this.root}/withdrawn/${validateElectionName(election)}/${sessionId}`;
  }
}

export function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** The end of the range holding every key that starts with `prefix` (etcd's prefix end). */
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix, 'utf8');
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key
}

/** etcd's 64-bit numbers arrive as decimal strings; revisions stay far below 2^53. */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}
