/**
 * The etcd backend: one client (etcd-client.ts) per backend for reads, writes, watches and the
 * session's lease. Layout: etcd-layout.ts. Liveness and the local deadline: etcd-session.ts.
 */
import type { Backend, CallOptions, ChangeListener, LeaderRecord, Member, MembersOptions, Session, SessionOptions, WatchOptions } from '../../contract/contract.js';
import { isJsonObject } from '../../contract/json.js';
import { validateSegment } from '../../contract/names.js';
import { validateTiming } from '../../contract/timing.js';
import { systemClock, type Clock } from '../../clock.js';
import { ClosedError, ConfigError, InvalidArgumentError, NodeIdInUseError, warnCorruptDocument } from '../../errors.js';
import { EtcdClient, type EtcdTls, type Message } from './etcd-client.js';
import { toContractError } from './etcd-error.js';
import { EtcdKv } from './etcd-kv.js';
import { DEFAULT_ETCD_PREFIX, EtcdLayout, bytes, prefixEnd, toNumber } from './etcd-layout.js';
import { METHODS } from './etcd-proto.js';
import { leaseHex, readLeader, readMembers } from './etcd-readers.js';
import { EtcdSession, memberValue } from './etcd-session.js';
import { EtcdWatches } from './etcd-watches.js';
import { KeyDeletions } from './key-deletions.js';
import { anySignal } from '../../async.js';
import { SessionSlot } from '../session-slot.js';

export interface EtcdBackendOptions {
  /** Members to reach: `host:port` each (port defaults to 2379). */
  readonly endpoints: readonly string[];
  /** Key prefix that holds everything (`/baton` by default); the cluster's keys are under `{prefix}/{cluster}/`. */
  readonly prefix?: string | undefined;
  readonly cluster: string;
  /** Monotonic clock for session deadlines; default the system clock. */
  readonly clock?: Clock | undefined;
  readonly tls?: EtcdTls | undefined;
  readonly auth?: { readonly user: string; readonly password: string } | undefined;
  /** Deadline of one etcd call that names none of its own, ms; default 5000 (see etcd-client.ts). */
  readonly callTimeoutMs?: number | undefined;
}


/**
 * Opens an etcd backend and checks that a member answers (StoreUnavailableError otherwise).
 *
 * @example
 * const backend = await createEtcdBackend({ endpoints: ['etcd1:2379', 'etcd2:2379', 'etcd3:2379'], cluster: 'prod' });
 * const session = await backend.openSession({ nodeId: 'n1', info: { host: 'n1' }, timing: DEFAULT_TIMING });
 */
export async function createEtcdBackend(options: EtcdBackendOptions, { signal }: CallOptions = {}): Promise<Backend> {
  const cluster = validateSegment('cluster name', options.cluster);
  if (options.endpoints.length === 0) throw new ConfigError('store', 'no etcd endpoint given; expected host:port[,host:port...]');
  const client = new EtcdClient({ endpoints: options.endpoints, tls: options.tls, auth: options.auth, callTimeoutMs: options.callTimeoutMs });
  let opened: Message;
  try {
    await client.authenticate({ signal });
    // Any member answering a linearizable read proves the cluster has a quorum we can reach.
    opened = await client.unary(METHODS.range, { key: bytes(`${options.prefix ?? DEFAULT_ETCD_PREFIX}/${cluster}/`), limit: 1, keys_only: true }, { signal, idempotent: true });
  } catch (error) {
    client.close();
    throw toContractError(error);
  }
  // Watches start after this read's revision at the earliest: see #watchRange.
  const revision = toNumber((opened['header'] as Message | undefined)?.['revision']);
  return new EtcdBackend(client, new EtcdLayout(options.prefix ?? DEFAULT_ETCD_PREFIX, cluster), cluster, options.clock ?? systemClock, revision);
}

class EtcdBackend implements Backend {
  readonly kind = 'etcd' as const;
  readonly cluster: string;
  readonly kv: EtcdKv;
  readonly #client: EtcdClient;
  readonly #layout: EtcdLayout;
  readonly #clock: Clock;
  readonly #watches: EtcdWatches;
  readonly #deletions: KeyDeletions;
  readonly #closed = new AbortController();
  /**
   * The highest store revision any answer showed, from the read that opened the backend on:
   * watches start after it (see #watchRange).
   */
  #revision: number;
  readonly #sessionSlot: SessionSlot<EtcdSession>;
  #closing: Promise<void> | undefined;

  constructor(client: EtcdClient, layout: EtcdLayout, cluster: string, clock: Clock, revision: number) {
    this.#client = client;
    this.#revision = revision;
    this.#layout = layout;
    this.cluster = cluster;
    this.#clock = clock;
    this.#sessionSlot = new SessionSlot(cluster);
    this.#watches = new EtcdWatches(client, clock);
    this.#deletions = new KeyDeletions(this.#watches, layout.elections, this.#closed.signal);
    this.kv = new EtcdKv({
      client,
      layout,
      resolveFence: (fence) => this.#sessionSlot.current?.resolveFence(fence) ?? null,
      sawRevision: (header) => this.#saw(header),
      watchPrefix: (prefix, listener, watch) => this.#watchRange(prefix, listener, watch),
    });
  }

  async members(options: MembersOptions = {}): Promise<Member[]> {
    this.#checkOpen();
    try {
      return await readMembers(this.#client, this.#layout, options.onCorrupt ?? warnCorruptDocument, (h) => this.#saw(h), options);
    } catch (error) {
      throw toContractError(error);
    }
  }

  watchMembers(listener: ChangeListener, options: WatchOptions): void {
    this.#watchRange(this.#layout.members, listener, options);
  }

  /**
   * The clusters with any key under the prefix (a member, a candidate or a KV document). etcd
   * has no list of children: each keys-only read of one key finds the next cluster, and the
   * next read starts past that cluster's keys, so the cost is one read per cluster, not per key.
   */
  async clusters(options: CallOptions = {}): Promise<string[]> {
    this.#checkOpen();
    const base = `${this.#layout.prefix}/`;
    const end = prefixEnd(base);
    const found: string[] = [];
    try {
      for (let from = bytes(base); ; ) {
        const response = await this.#client.unary(METHODS.range, { key: from, range_end: end, limit: 1, keys_only: true }, { signal: options.signal, idempotent: true });
        const first = (response['kvs'] as Message[] | undefined)?.[0];
        if (first === undefined) return found.sort();
        const cluster = (first['key'] as Buffer).toString('utf8').slice(base.length).split('/')[0] ?? '';
        found.push(cluster);
        from = prefixEnd(`${base}${cluster}/`);
      }
    } catch (error) {
      throw toContractError(error);
    }
  }

  async leader(election: string, options: CallOptions = {}): Promise<LeaderRecord | null> {
    this.#checkOpen();
    try {
      return await readLeader(this.#client, this.#layout, election, (h) => this.#saw(h), options);
    } catch (error) {
      throw toContractError(error);
    }
  }

  watchLeader(election: string, listener: ChangeListener, options: WatchOptions): void {
    this.#watchRange(this.#layout.election(election), listener, options);
  }

  /**
   * Opens the session: 1. grant a lease of ceil(ttlMs / 1000) s (etcd counts whole seconds; it
   * may grant more, never less: more only makes others wait longer); 2. create the member key
   * attached to it, only if absent. A member key held by another lease means the node id is in
   * use: the new lease is revoked.
   */
  async openSession(options: SessionOptions): Promise<Session> {
    this.#checkOpen();
    const nodeId = validateSegment('node id', options.nodeId);
    if (!isJsonObject(options.info)) throw new InvalidArgumentError('member info must be a JSON object');
    const timing = validateTiming(options.timing);
    this.#sessionSlot.checkFree();
    const ttlSeconds = Math.ceil(timing.ttlMs / 1000);
    const grantedAt = this.#clock.now();
    let leaseId: string;
    try {
      const grant = await this.#client.unary(METHODS.leaseGrant, { TTL: ttlSeconds }, { signal: options.signal });
      leaseId = String(grant['ID']);
      if (toNumber(grant['TTL']) * 1000 < timing.ttlMs) {
        await this.#revoke(leaseId);
        throw new ConfigError('election.ttlMs', `etcd granted a lease of ${String(grant['TTL'])} s, less than ttlMs ${timing.ttlMs}`);
      }
    } catch (error) {
      throw toContractError(error);
    }
    try {
      await this.#register(nodeId, leaseId, options);
    } catch (error) {
      await this.#revoke(leaseId);
      throw toContractError(error);
    }
    const session: EtcdSession = new EtcdSession({
      client: this.#client,
      deletions: this.#deletions,
      layout: this.#layout,
      clock: this.#clock,
      nodeId,
      timing,
      leaseId,
      id: leaseHex(leaseId),
      grantedAt,
      sawRevision: (h) => this.#saw(h),
      onRenewal: options.onRenewal,
      onFinal: () => this.#sessionSlot.ended(session),
    });
    return this.#sessionSlot.start(session);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed.abort(new ClosedError(`etcd backend for cluster "${this.cluster}"`));
    await this.#sessionSlot.close(); // the lease expires on its own if the revoke fails
    this.#watches.close();
    this.#client.close();
  }

  async #register(nodeId: string, leaseId: string, options: SessionOptions): Promise<void> {
    const key = bytes(this.#layout.member(nodeId));
    const response = await this.#client.unary(
      METHODS.txn,
      {
        compare: [{ key, target: 'CREATE', result: 'EQUAL', create_revision: 0 }],
        success: [{ request_put: { key, value: memberValue(options.info), lease: leaseId } }],
      },
      { signal: options.signal },
    );
    this.#saw(response['header']);
    if (response['succeeded'] !== true) throw new NodeIdInUseError(nodeId);
  }

  async #revoke(leaseId: string): Promise<void> {
    await this.#client.unary(METHODS.leaseRevoke, { ID: leaseId }, { idempotent: true }).catch(() => undefined); // it expires on its own
  }

  #saw(header: unknown): void {
    const revision = toNumber((header as Record<string, unknown> | undefined)?.['revision']);
    if (revision > this.#revision) this.#revision = revision;
  }

  /**
   * Calls `listener` after any change under `prefix`. The watch starts right after the highest
   * revision this backend has seen (at least the read that opened it), so a change between an
   * earlier read and this watch is reported, not missed (level-triggered: the listener reads
   * again). Never "from now" (start revision 0): etcd would take now as the moment the create
   * request reaches it, and a write that lands after watch() returned but before that moment
   * (the stream still opening, a busy machine, a stream being reopened) would be missed.
   */
  #watchRange(prefix: string, listener: ChangeListener, options: WatchOptions): void {
    this.#checkOpen();
    const signal = anySignal(options.signal, this.#closed.signal);
    this.#watches.watch(
      {
        key: bytes(prefix),
        rangeEnd: prefixEnd(prefix),
        startRevision: this.#revision + 1,
        onEvents: () => listener(),
        onGap: () => listener(),
      },
      signal,
    );
  }

  #checkOpen(): void {
    if (this.#closed.signal.aborted) throw new ClosedError(`etcd backend for cluster "${this.cluster}"`);
  }
}
