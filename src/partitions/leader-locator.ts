/**
 * LeaderLocator: for client services, key -> the base URL of the node that leads it, read from
 * any node's HTTP API (`GET /leader/tables` for the leaders, `GET /cluster` for their advertised
 * addresses) and cached per partition.
 *
 * Unlike Pinot's ControllerLeaderLocator, one leaderless partition does not empty the cache for
 * every table: only that partition is left out (and asked again on its next lookup).
 */
import { systemClock, type Clock } from '../clock.js';
import { StoreUnavailableError } from '../errors.js';
import { DEFAULT_PARTITIONS, partitionOf } from './key-partition.js';
import { LEAD_CONTROLLER_RESOURCE } from './resource-options.js';
import { urlOfParticipantId } from './pinot-participant.js';

/**
 * Least time between two invalidations of one partition's cached leader, on the locator's
 * monotonic clock: a burst of NOT_LEADER replies or send errors during a failover then costs one
 * refresh per partition, not one per request. Pinot uses the same 30 s.
 */
export const MIN_INVALIDATE_INTERVAL_MS = 30_000;

export interface LeaderLocatorOptions {
  /** Base URLs of nodes (`http://10.0.0.5:7400`); asked in order until one answers. */
  readonly nodes: readonly string[];
  /** Resource name; default `leadControllerResource`. */
  readonly resource?: string;
  /** Partitions of the resource (must match the nodes' config); default 24. */
  readonly partitions?: number;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Monotonic clock for the invalidation limit; default the system clock. */
  readonly clock?: Clock;
}

interface TablesReply {
  readonly leadControllerResourceEnabled: boolean;
  readonly leadControllerEntryMap: Record<string, { leadControllerId: string | null }>;
}
interface ClusterReply {
  readonly leader: { nodeId: string } | null;
  readonly members: readonly { nodeId: string; info: { host?: unknown; ports?: Record<string, unknown> } }[];
}

/**
 * @example
 * const locator = new LeaderLocator({ nodes: ['http://127.0.0.1:7400'] });
 * const url = await locator.locate('baseballStats_OFFLINE'); // 'http://10.0.0.7:7400' or null
 * // Or let it send, and invalidate on NOT_LEADER or a send error:
 * const reply = await locator.send('baseballStats_OFFLINE', '/resources/leadControllerResource/keys/baseballStats_OFFLINE/act', { method: 'POST' });
 */
export class LeaderLocator {
  readonly #nodes: readonly string[];
  readonly #resource: string;
  readonly #partitions: number;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #cache = new Map<number, string>();
  readonly #invalidatedAt = new Map<number, number>();

  constructor(options: LeaderLocatorOptions) {
    this.#nodes = [...options.nodes];
    this.#resource = options.resource ?? LEAD_CONTROLLER_RESOURCE;
    this.#partitions = options.partitions ?? DEFAULT_PARTITIONS;
    this.#fetch = options.fetch ?? fetch;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * The base URL of the node leading `key`, or null while its partition has no leader.
   * Rejects with StoreUnavailableError when no node answers.
   */
  async locate(key: string, options: { signal?: AbortSignal } = {}): Promise<string | null> {
    const partition = partitionOf(key, this.#partitions);
    const cached = this.#cache.get(partition);
    if (cached !== undefined) return cached;
    await this.#refresh(options.signal);
    return this.#cache.get(partition) ?? null;
  }

  /**
   * Forgets the cached leader of `key`'s partition, after a NOT_LEADER reply or a send error.
   * At most once per {@link MIN_INVALIDATE_INTERVAL_MS} per partition (the first always
   * happens); returns whether it did. Other partitions keep their leaders.
   */
  invalidate(key: string): boolean {
    const partition = partitionOf(key, this.#partitions);
    const now = this.#clock.now();
    const last = this.#invalidatedAt.get(partition);
    if (last !== undefined && now - last < MIN_INVALIDATE_INTERVAL_MS) return false;
    this.#invalidatedAt.set(partition, now);
    this.#cache.delete(partition);
    return true;
  }

  /**
   * Sends a request about `key` to its leader (`path` is appended to the leader's base URL).
   * A 409 NOT_LEADER reply or a send error invalidates the key's partition (within the limit of
   * {@link invalidate}); the reply or the error is passed on for the caller to retry. Resolves
   * null while the key's partition has no leader.
   */
  async send(key: string, path: string, init: RequestInit = {}): Promise<Response | null> {
    const base = await this.locate(key, init.signal ? { signal: init.signal } : {});
    if (base === null) return null;
    let reply: Response;
    try {
      reply = await this.#fetch(`${base}${path}`, init);
    } catch (error) {
      this.invalidate(key);
      throw error;
    }
    if (reply.status === 409 && (await isNotLeader(reply))) this.invalidate(key);
    return reply;
  }

  /**
   * Steps: 1. read the leaders and the members from the first node that answers; 2. fill every
   * partition that is not cached and has a leader with a known address (leaderless ones stay out).
   */
  async #refresh(signal?: AbortSignal): Promise<void> {
    const query = `resource=${encodeURIComponent(this.#resource)}`;
    let lastError: unknown;
    for (const base of this.#nodes) {
      try {
        const [tables, cluster] = await Promise.all([
          this.#get<TablesReply>(`${base}/leader/tables?${query}`, signal),
          this.#get<ClusterReply>(`${base}/cluster`, signal),
        ]);
        const addresses = new Map(cluster.members.map((m) => [m.nodeId, urlOf(m.info)]));
        for (let partition = 0; partition < this.#partitions; partition++) {
          if (this.#cache.has(partition)) continue;
          const nodeId = tables.leadControllerResourceEnabled
            ? tables.leadControllerEntryMap[`${this.#resource}_${partition}`]?.leadControllerId ?? null
            : cluster.leader?.nodeId ?? null;
          // A Pinot participant id (Controller_{host}_{port}) names the address itself.
          const address = nodeId === null ? null : addresses.get(nodeId) ?? urlOfParticipantId(nodeId);
          if (address !== null) this.#cache.set(partition, address);
        }
        return;
      } catch (error) {
        signal?.throwIfAborted();
        lastError = error;
      }
    }
    throw new StoreUnavailableError(`no node answered for the leaders of ${this.#resource} (asked ${this.#nodes.join(', ')})`, { cause: lastError });
  }

  async #get<T>(url: string, signal?: AbortSignal): Promise<T> {
    const reply = await this.#fetch(url, signal === undefined ? {} : { signal });
    if (!reply.ok) throw new StoreUnavailableError(`GET ${url} answered ${reply.status}`);
    return (await reply.json()) as T;
  }
}

/** Whether a 409 reply is baton's NOT_LEADER (read from a clone, so the caller can still read it). */
async function isNotLeader(reply: Response): Promise<boolean> {
  try {
    const body = (await reply.clone().json()) as { code?: unknown };
    return body.code === 'NOT_LEADER';
  } catch {
    return false; // not JSON: some other conflict
  }
}

function urlOf(info: { host?: unknown; ports?: Record<string, unknown> }): string | null {
  const port = info.ports?.['http'];
  if (typeof info.host !== 'string' || typeof port !== 'number') return null;
  return `http://${info.host.includes(':') ? `[${info.host}]` : info.host}:${port}`;
}
