/**
 * baton's promise API over one ZooKeeper session. Every call takes `{ signal }` and always
 * settles; failures are {@link ZooKeeperError}s naming the ZooKeeper code (NO_NODE,
 * NODE_EXISTS, BAD_VERSION, CONNECTION_LOSS, SESSION_EXPIRED, ...); a call after `close()`
 * rejects with ClosedError. The client never emits 'error' events. With `acl` (zk-acl.ts) it
 * authenticates on every (re)connect and every znode it creates (create, mkdirs, creates in a
 * multi) gets that ACL; without, znodes are open to anyone (ZooKeeper's OPEN_ACL_UNSAFE).
 *
 * @example
 * const zk = await ZkClient.connect({ connect: '127.0.0.1:2181', sessionTimeoutMs: 10_000 });
 * await zk.create('/app/config', Buffer.from('{}'), { createParents: true });
 * const { data, stat } = await zk.getData('/app/config');
 * await zk.close();
 */
import type { RawAcl, RawException } from './zk-library.js';
import { CREATE_FLAGS, OP, zookeeperLibrary, type ZkCreateMode } from './zk-library.js';
import type { MultiResult } from './zk-replies.js';
import { JuteReader, readChildren, readCreatedPath, readData, readMultiResults, readStat } from './zk-replies.js';
import type { MultiOp, ZkRequest } from './zk-requests.js';
import { checkOp, createOp, createRequest, deleteOp, deleteRequest, existsRequest, getChildrenRequest, getDataRequest, multiRequest, setDataOp, setDataRequest } from './zk-requests.js';
import type { AclEntry } from './zk-acl.js';
import { createAcls, fromRawAcls, toRawAcls } from './zk-acl.js';
import type { ZkCallOptions, ZkClientState, ZkConnectionOptions } from './zk-connection.js';
import { ZkConnection } from './zk-connection.js';
import type { ZkStat } from './zk-stat.js';
import { decodeStat } from './zk-stat.js';
import { ZooKeeperError, isZkError, zkCodeName } from './zookeeper-error.js';
import type { WatchKind, ZkWatcher } from './zk-watch-registry.js';
import { WatchRegistry } from './zk-watch-registry.js';

export type { ZkClientState, ZkConnectionOptions, ZkCallOptions } from './zk-connection.js';
export type { ZkStat } from './zk-stat.js';
export type { ZkEvent, ZkWatcher } from './zk-watch-registry.js';

export type { ZkCreateMode } from './zk-library.js';

export interface WatchCallOptions extends ZkCallOptions {
  /**
   * Set a one-shot watch. The same function set twice on one path is notified once; use
   * `removeWatcher` when it is no longer wanted.
   */
  readonly watch?: ZkWatcher;
}

export interface CreateOptions extends ZkCallOptions {
  readonly mode?: ZkCreateMode;
  /** Create missing ancestors first (persistent, empty). */
  readonly createParents?: boolean;
}

export type ZkOp =
  | { readonly op: 'create'; readonly path: string; readonly data?: Buffer; readonly mode?: ZkCreateMode }
  | { readonly op: 'setData'; readonly path: string; readonly data: Buffer; readonly version?: number }
  | { readonly op: 'delete'; readonly path: string; readonly version?: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number };

export type ZkOpResult =
  | { readonly op: 'create'; readonly path: string }
  | { readonly op: 'setData'; readonly stat: ZkStat }
  | { readonly op: 'delete' }
  | { readonly op: 'check' };

/** Options of {@link ZkClient.connect}. */
export interface ZkClientOptions extends ZkConnectionOptions {
  /** How long to wait for the first connection, ms. Default: the session timeout. */
  readonly connectTimeoutMs?: number;
}

/** One ZooKeeper session behind a promise API; see the module comment for an example. */
export class ZkClient {
  readonly #conn: ZkConnection;
  readonly #watches = new WatchRegistry();
  /** The ACL of every znode this client creates (`options.acl`, else open to anyone). */
  readonly #acls: readonly RawAcl[];

  private constructor(conn: ZkConnection) {
    this.#conn = conn;
    this.#acls = createAcls(conn.options.acl);
  }

  /** Connects to the ensemble and resolves once the session is established. */
  static async connect(options: ZkClientOptions, { signal }: ZkCallOptions = {}): Promise<ZkClient> {
    const conn = new ZkConnection(options);
    await conn.open(options.connectTimeoutMs ?? options.sessionTimeoutMs, signal);
    return new ZkClient(conn);
  }

  get state(): ZkClientState {
    return this.#conn.state;
  }
  /** The session id as 16 hex digits (the form ZooKeeper's tools print, and `ZkStat.ephemeralOwner`). */
  get sessionId(): string {
    return this.#conn.sessionId;
  }
  /** The session timeout the server granted, ms. */
  get sessionTimeoutMs(): number {
    return this.#conn.sessionTimeoutMs;
  }
  /** Monotonic time at which the last request the server answered was sent (see ZkConnection). */
  get lastHeardAt(): number {
    return this.#conn.lastHeardAt;
  }
  /** How many times the session has connected so far; see ZkConnection.connections. */
  get connections(): number {
    return this.#conn.connections;
  }
  /** Aborts when the session ends for good (expired or closed); the reason says which. */
  get ended(): AbortSignal {
    return this.#conn.ended;
  }
  /** Calls `listener` on every state change until `signal` aborts. */
  onStateChange(listener: (state: ZkClientState) => void, options: { signal: AbortSignal }): void {
    this.#conn.onStateChange(listener, options.signal);
  }

  /** Creates a znode; resolves with its path (with the sequence suffix for sequential modes). */
  async create(path: string, data: Buffer | null, options: CreateOptions = {}): Promise<string> {
    if (options.createParents) await this.#createAncestors(path, options);
    const flags = CREATE_FLAGS[options.mode ?? 'persistent'];
    return this.#conn.call<string>('create', path, options, (done) =>
      this.#ask(createRequest(path, data, this.#acls, flags), readCreatedPath, done),
    );
  }

  /** Creates `path` and its missing ancestors as empty persistent znodes; no error if it exists. */
  async mkdirs(path: string, options: ZkCallOptions = {}): Promise<void> {
    await this.#createAncestors(`${path}/x`, options);
  }

  /** The znode's data (empty when it has none) and stat; NO_NODE when absent. */
  async getData(path: string, options: WatchCallOptions = {}): Promise<{ data: Buffer; stat: ZkStat }> {
    const watch = options.watch;
    return this.#conn.call<{ data: Buffer; stat: ZkStat }>('getData', path, options, (done) =>
      this.#ask(getDataRequest(path, watch !== undefined), readData, (error, reply) => {
        if (error) return done(error);
        if (watch) this.#conn.raw.connectionManager.registerDataWatcher(path, this.#watches.raw('data'));
        this.#added('data', path, watch);
        done(null, reply);
      }),
    );
  }

  /** Writes data; `version` (default -1 = any) must match the znode's data version. */
  async setData(path: string, data: Buffer, options: ZkCallOptions & { version?: number } = {}): Promise<ZkStat> {
    return this.#conn.call<ZkStat>('setData', path, options, (done) => this.#ask(setDataRequest(path, data, options.version ?? -1), readStat, done));
  }

  /** Deletes a znode; `version` (default -1 = any) must match. */
  async delete(path: string, options: ZkCallOptions & { version?: number } = {}): Promise<void> {
    await this.#conn.call<void>('delete', path, options, (done) => this.#ask(deleteRequest(path, options.version ?? -1), readNothing, done));
  }

  /** Deletes a znode and everything under it; absent znodes are fine. */
  async deleteRecursive(path: string, options: ZkCallOptions = {}): Promise<void> {
    let children: string[];
    try {
      children = await this.getChildren(path, options);
    } catch (error) {
      if (isZkError(error, 'NO_NODE')) return;
      throw error;
    }
    const base = path === '/' ? '' : path;
    await Promise.all(children.map((child) => this.deleteRecursive(`${base}/${child}`, options)));
    if (path === '/') return;
    try {
      await this.delete(path, options);
    } catch (error) {
      if (!isZkError(error, 'NO_NODE')) throw error;
    }
  }

  /** The znode's stat, or null when absent (a watch then fires on its creation). */
  async exists(path: string, options: WatchCallOptions = {}): Promise<ZkStat | null> {
    const watch = options.watch;
    return this.#conn.call<ZkStat | null>('exists', path, options, (done) =>
      this.#ask(existsRequest(path, watch !== undefined), readStat, (error, stat) => {
        // An absent znode is an answer here (null), and its watch fires on its creation.
        const absent = error !== null && !(error instanceof ZooKeeperError) && zkCodeName(error.getCode()) === 'NO_NODE';
        if (error && !absent) return done(error);
        const manager = this.#conn.raw.connectionManager;
        if (watch && absent) manager.registerExistenceWatcher(path, this.#watches.raw('data'));
        else if (watch) manager.registerDataWatcher(path, this.#watches.raw('data'));
        this.#added('data', path, watch);
        done(null, absent ? null : stat);
      }),
    );
  }

  /** The child names (not sorted). */
  async getChildren(path: string, options: WatchCallOptions = {}): Promise<string[]> {
    const watch = options.watch;
    return this.#conn.call<string[]>('getChildren', path, options, (done) =>
      this.#ask(getChildrenRequest(path, watch !== undefined), readChildren, (error, children) => {
        if (error) return done(error);
        if (watch) this.#conn.raw.connectionManager.registerChildWatcher(path, this.#watches.raw('child'));
        this.#added('child', path, watch);
        done(null, children);
      }),
    );
  }

  /**
   * Runs `ops` atomically. On failure rejects with a ZooKeeperError whose `zkCode` and
   * `opIndex` name the op that failed; nothing was applied then.
   */
  multi(ops: readonly ZkOp[], options: ZkCallOptions = {}): Promise<ZkOpResult[]> {
    const what = ops.map((op) => `${op.op} ${op.path}`).join(', ');
    return this.#conn.call<ZkOpResult[]>('multi', `[${what}]`, options, (done) => {
      this.#ask(multiRequest(ops.map((op) => toMultiOp(op, this.#acls))), readMultiResults, (queueError, results) => {
        // 1. refused as a whole; 2. else the first op that failed, if any, as the library's commit read it.
        if (queueError || results === undefined) return done(queueError);
        const refusal = results.find((r) => r.type === OP.error && r.err !== 0);
        const error = refusal === undefined ? null : zookeeperLibrary().Exception.create(refusal.err ?? 0);
        if (!error) return done(null, results.map(fromRawResult));
        const index = results.findIndex((r) => r.err !== undefined && r.err !== 0 && r.err !== -2);
        if (index < 0) return done(error);
        const code = zkCodeName(results[index]?.err ?? 0);
        const failed = ops[index];
        done(new ZooKeeperError(code, `ZooKeeper multi failed at op ${index} (${failed?.op} ${failed?.path}): ${code}`, { path: failed?.path, opIndex: index }));
      });
    });
  }

  /** The znode's ACL entries and its stat. */
  async getAcl(path: string, options: ZkCallOptions = {}): Promise<{ acl: AclEntry[]; stat: ZkStat }> {
    const [acls, raw] = await this.#conn.call<[RawAcl[], Parameters<typeof decodeStat>[0]]>('getACL', path, options, (done) =>
      this.#conn.raw.getACL(path, (error, acls, stat) => done(error, [acls, stat])),
    );
    return { acl: fromRawAcls(acls ?? []), stat: decodeStat(raw) };
  }

  /** Replaces the znode's ACL; `version` (default -1 = any) must match its ACL version. */
  async setAcl(path: string, acl: readonly AclEntry[], options: ZkCallOptions & { version?: number } = {}): Promise<ZkStat> {
    const raw = await this.#conn.call<Parameters<typeof decodeStat>[0]>('setACL', path, options, (done) =>
      this.#conn.raw.setACL(path, toRawAcls(acl), options.version ?? -1, done),
    );
    return decodeStat(raw);
  }

  /** Stops notifying `watcher` for every path it was set on. */
  removeWatcher(watcher: ZkWatcher): void {
    this.#watches.remove(watcher);
  }

  /** Ends the session at once: the server deletes its ephemeral znodes. Idempotent. */
  close(): Promise<void> {
    return this.#conn.close();
  }

  async #createAncestors(path: string, options: ZkCallOptions): Promise<void> {
    const segments = path.split('/').filter((s) => s !== '');
    let current = '';
    for (const segment of segments.slice(0, -1)) {
      current += `/${segment}`;
      try {
        await this.#conn.call<void>('create', current, options, (done) =>
          this.#ask(createRequest(current, null, this.#acls, CREATE_FLAGS.persistent), readNothing, done),
        );
      } catch (error) {
        if (!isZkError(error, 'NODE_EXISTS')) throw error;
      }
    }
  }

  /**
   * Sends `request` (zk-requests.ts) in order with every other; `done` gets the library's error,
   * or `read` of the reply (zk-replies.ts), or MARSHALLING_ERROR for a reply that cannot be read.
   */
  #ask<T>(request: ZkRequest, read: (reply: JuteReader, chroot: string) => T, done: (error: RawException | ZooKeeperError | null, value?: T) => void): void {
    this.#conn.raw.connectionManager.queue(request, (error) => {
      if (error) return done(error);
      let value: T;
      try {
        value = read(new JuteReader(request.takeReply()), request.chroot);
      } catch (cause) {
        return done(new ZooKeeperError('MARSHALLING_ERROR', `ZooKeeper reply to request ${request.xid} unreadable: ${(cause as Error).message}`, { cause }));
      }
      done(null, value);
    });
  }

  /** Registers `watch` synchronously in the library's callback, so no event can slip past it. */
  #added(kind: WatchKind, path: string, watch: ZkWatcher | undefined): void {
    if (watch) this.#watches.add(kind, path, watch);
  }
}

/** An op of a multi, with exact versions (the library's transaction helpers turned version 0 into -1). */
function toMultiOp(op: ZkOp, acls: readonly RawAcl[]): MultiOp {
  switch (op.op) {
    case 'create':
      return createOp(op.path, op.data ?? Buffer.alloc(0), acls, CREATE_FLAGS[op.mode ?? 'persistent']);
    case 'setData':
      return setDataOp(op.path, op.data, op.version ?? -1);
    case 'delete':
      return deleteOp(op.path, op.version ?? -1);
    case 'check':
      return checkOp(op.path, op.version);
  }
}

/** For replies with no payload (delete, a create whose path is known). */
function readNothing(): void {}

function fromRawResult(result: MultiResult): ZkOpResult {
  switch (result.type) {
    case OP.create:
      return { op: 'create', path: result.path ?? '' };
    case OP.setData:
      return { op: 'setData', stat: result.stat as ZkStat };
    case OP.delete:
      return { op: 'delete' };
    default:
      return { op: 'check' };
  }
}
