/**
 * A typed view of the parts of `node-zookeeper-client` (pure JS, CommonJS, no type definitions)
 * that {@link ZkClient} uses. Nothing outside this folder imports the library directly.
 *
 * Known library limits, worked around in zk-client.ts:
 * - `Transaction.check/setData/remove` turn version 0 into -1 (`version || -1`), so a check of
 *   version 0 would be unconditional. zk-requests.ts encodes multi ops with exact versions.
 * - Requests queued but never sent when the session expires never get a callback; calls made
 *   while disconnected wait for a reconnect. Every call is therefore raced against the client's
 *   end, its own signal and a timeout.
 * - There is no read timeout: a server that stops answering on an open socket is never left.
 *   The client's liveness probe destroys such a socket (`connectionManager.socket`).
 * - A socket destroyed while still connecting (a close, an abort) leaves its connect timer
 *   (the session timeout) running, which keeps the process alive that long. close() clears it.
 * - There is no `sync`. zk-requests.ts builds one for `connectionManager.queue`.
 * - Each call builds its request from generic records and decodes its reply the same way
 *   (slow, see zk-requests.ts and zk-replies.ts): ZkClient hands `connectionManager.queue`
 *   requests encoded by zk-requests.ts instead, reads their replies itself (zk-reply-tap.ts),
 *   and registers watchers as the library's calls do.
 * - Credentials (`addAuthInfo`) are re-sent on every reconnect, but queued behind the requests
 *   made while disconnected, which then reach the server unauthenticated (NO_AUTH). zk-acl.ts
 *   moves them ahead, as the Java client does.
 * - `Exception.create` throws on error codes it does not know (newer servers send e.g.
 *   SESSION_MOVED, -118), and it is called inside the socket's data handler, which would crash
 *   the process. We wrap it once, below, to return a plain error carrying the code instead.
 */
import { requireOptional } from '../optional-package.js';

/** A ZooKeeper `Stat` as the library decodes it: 64-bit fields stay 8-byte big-endian Buffers. */
export interface RawStat {
  readonly czxid: Buffer;
  readonly mzxid: Buffer;
  readonly ctime: Buffer;
  readonly mtime: Buffer;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: Buffer;
  readonly dataLength: number;
  readonly numChildren: number;
  readonly pzxid: Buffer;
}

export interface RawException extends Error {
  readonly code: number;
  getCode(): number;
  getName(): string;
}

export interface RawEvent {
  readonly type: number;
  readonly name: string;
  readonly path: string;
}

export interface RawState {
  readonly name: string;
  readonly code: number;
}

export type RawWatcher = (event: RawEvent) => void;
type Callback<T extends unknown[]> = (error: RawException | null, ...results: T) => void;

export interface RawOpResult {
  readonly type: number;
  readonly err?: number;
  readonly path?: string;
  readonly stat?: RawStat;
}

/** A request in the shape `connectionManager.queue` sends: a header, a payload, its bytes. */
export interface RawRequest {
  readonly header: { xid: number; readonly type: number };
  readonly payload: { setChrootPath(chroot: string): void };
  toBuffer(): Buffer;
}

export interface RawConnectionManager {
  socket?: { destroy(): void; cork(): void; uncork(): void };
  /** The timer that gives up a socket still connecting; only a socket error or a connect clears it. */
  readonly connectTimeoutHandler?: ReturnType<typeof setTimeout>;
  /** Requests waiting to be sent, oldest first (the library's PacketQueue). */
  readonly packetQueue: { readonly queue: unknown[] };
  /** Runs when a socket to a server opens: sends the connect request, queues auth and set-watches. */
  onSocketConnected(): void;
  /**
   * Sends `request` in order with every other call; `callback` gets its error (null when OK)
   * and the reply, decoded by `request.header.type` (no reply when the session is not open).
   */
  queue<P = null>(request: RawRequest, callback: (error: RawException | null, reply?: RawReply<P>) => void): void;
  /** Watchers the library fires on the server's events, as its own getData/exists/getChildren register them. */
  registerDataWatcher(path: string, watcher: RawWatcher): void;
  registerExistenceWatcher(path: string, watcher: RawWatcher): void;
  registerChildWatcher(path: string, watcher: RawWatcher): void;
}

/** A reply as the library decodes it: the reply header's error code, and the payload of the request's type. */
export interface RawReply<P> {
  readonly header: { readonly err: number };
  readonly payload: P;
}

export interface RawClient {
  readonly connectionManager: RawConnectionManager;
  connect(): void;
  close(): void;
  on(event: 'state', listener: (state: RawState) => void): void;
  removeAllListeners(): void;
  getSessionId(): Buffer;
  getSessionTimeout(): number;
  getACL(path: string, callback: Callback<[RawAcl[], RawStat]>): void;
  setACL(path: string, acls: readonly RawAcl[], version: number, callback: Callback<[RawStat]>): void;
  /** Adds credentials; the library sends them now if connected and again after every reconnect. */
  addAuthInfo(scheme: string, auth: Buffer): void;
}

interface ExceptionModule {
  create(code: number, path?: string): RawException;
}

/** The library's ACL and Id objects (opaque here: built by the library's constructors). */
export type RawId = { readonly scheme: string; readonly id: string };
export type RawAcl = { readonly permission: number; readonly id: RawId };

interface Library {
  readonly Exception: ExceptionModule;
  createClient(connect: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): RawClient;
  readonly ACL: { new (permission: number, id: RawId): RawAcl; readonly OPEN_ACL_UNSAFE: readonly RawAcl[] };
  readonly Id: new (scheme: string, id: string) => RawId;
  readonly State: Record<'DISCONNECTED' | 'SYNC_CONNECTED' | 'EXPIRED' | 'AUTH_FAILED' | 'CONNECTED_READ_ONLY', RawState>;
}

let loaded: Library | undefined;

/**
 * The library, loaded on first use (an optional peer dependency: MissingPackageError when it is
 * not installed), its Exception.create wrapped once (see above).
 */
export function zookeeperLibrary(): Library {
  if (loaded !== undefined) return loaded;
  const library = requireOptional<Library>('node-zookeeper-client', 'node-zookeeper-client', 'ZooKeeper stores (zookeeper://), the federated client and the directory service');
  const knownCodesOnly = library.Exception.create.bind(library.Exception);
  library.Exception.create = (code: number, path?: string): RawException => {
    // Made without a stack: it would only ever show the library's socket handler, and capturing
    // it cost about as much as the rest of a request (an expected NO_NODE on every cold
    // election's first create, 10,000 at a cold start). The ZooKeeperError that carries it as
    // its cause is made in the same handler, without a stack too (zk-connection.ts answerError).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return knownCodesOnly(code, path);
    } catch {
      const error = Object.assign(new Error(`ZooKeeper error code ${code}${path ? ` at ${path}` : ''}`), {
        code,
        getCode: () => code,
        getName: () => `CODE_${code}`,
      });
      return error;
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  };
  loaded = library;
  return library;
}

/** ZooKeeper wire op codes used in multi (from the ZooKeeper protocol). */
export const OP = Object.freeze({ create: 1, delete: 2, setData: 5, check: 13, error: -1 });

/** How a znode is created: kept until deleted or gone with the session, with or without a sequence suffix. */
export type ZkCreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

/** ZooKeeper create flags (from the ZooKeeper protocol). */
export const CREATE_FLAGS: Readonly<Record<ZkCreateMode, number>> = Object.freeze({
  persistent: 0,
  ephemeral: 1,
  persistent_sequential: 2,
  ephemeral_sequential: 3,
});

/** Watcher event types (from the ZooKeeper protocol). */
export const EVENT_TYPES: Readonly<Record<number, 'created' | 'deleted' | 'dataChanged' | 'childrenChanged'>> = Object.freeze({
  1: 'created',
  2: 'deleted',
  3: 'dataChanged',
  4: 'childrenChanged',
});
