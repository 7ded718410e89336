/**
 * One ZooKeeper session over `node-zookeeper-client`: its lifecycle, its state, the single
 * place where library calls are made (so every call settles), and the measure of when the
 * server last answered (the session's liveness, see {@link ZkConnection.lastHeardAt}).
 */
import { anySignal, pause } from '../async.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { AbortedError, ClosedError } from '../errors.js';
import type { ZkAcl } from './zk-acl.js';
import { authenticate } from './zk-acl.js';
import type { CallHost, Done } from './zk-call.js';
import { ZkCall } from './zk-call.js';
import { CallDeadlines } from './zk-call-deadlines.js';
import type { RawClient, RawState } from './zk-library.js';
import { zookeeperLibrary } from './zk-library.js';
import { tapReplies } from './zk-reply-tap.js';
import { syncRequest } from './zk-requests.js';
import { batchWritesThisTick } from './zk-write-batch.js';
import { RequestWindow } from './zk-request-window.js';
import { sessionIdHex } from './zk-stat.js';
import { ZooKeeperError, sessionExpired } from './zookeeper-error.js';
import { untilConnected } from './zk-until-connected.js';

export type ZkClientState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed';

export interface ZkConnectionOptions {
  /** `host:port,host:port,...` (no chroot here; see `chroot`). */
  readonly connect: string;
  /** A znode path every path is relative to, e.g. `/apps/baton`. It must exist. */
  readonly chroot?: string;
  /** Session timeout asked of the server, ms (the server may clamp it; see `sessionTimeoutMs`). */
  readonly sessionTimeoutMs: number;
  /** Monotonic clock for liveness; default the system clock. */
  readonly clock?: Clock;
  /**
   * How often to probe the session (a `sync` round trip through the ensemble leader, see
   * {@link ZkConnection.lastHeardAt}) while connected, ms on `clock`.
   * Default: a fifth of the session timeout, so several answers fit in any deadline.
   */
  readonly probeIntervalMs?: number;
  /**
   * How long a probe may go unanswered before the socket is dropped and the next server tried,
   * ms. Default: a third of the session timeout (the Java client waits two thirds; we leave room
   * for a reconnect before a holder's renew deadline).
   */
  readonly readTimeoutMs?: number;
  /** How long any call may wait for an answer, ms (a transport timeout). Default: the session timeout. */
  readonly callTimeoutMs?: number;
  /** Called after every probe with its round trip on `clock` and whether it was answered. */
  readonly onProbe?: (latencyMs: number, ok: boolean) => void;
  /** Digest credentials sent on every (re)connect, and the ACL of every znode created (zk-acl.ts). */
  readonly acl?: ZkAcl;
}

/**
 * How long the library waits, at most, between two rounds over all servers of the connect
 * string, ms (real time). Its default (1000) would add up to a second to every failover; 100 ms
 * keeps reconnects fast without spinning on a dead ensemble.
 */
const SPIN_DELAY_MS = 100;

/**
 * How long close() waits for the server to confirm closeSession before it drops the socket,
 * ms (real time). The confirmation is one round trip; after this the server will expire the
 * session on its own.
 */
const CLOSE_GRACE_MS = 2_000;

export interface ZkCallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export type { Done } from './zk-call.js';

/** The connection under a {@link ZkClient}: lifecycle, state, calls that always settle, liveness. */
export class ZkConnection {
  readonly options: ZkConnectionOptions;
  readonly clock: Clock;
  readonly #raw: RawClient;
  readonly #ended = new AbortController();
  /** What every call of this connection shares: the request window, the deadlines (zk-call.ts). */
  readonly #calls: CallHost = {
    window: new RequestWindow(),
    deadlines: new CallDeadlines<ZkCall<unknown>>(),
    beforeSend: () => batchWritesThisTick(this.#raw.connectionManager),
    heard: (sentAt) => this.#heard(sentAt),
  };
  readonly #listeners = new Set<(state: ZkClientState) => void>();
  #state: ZkClientState = 'connecting';
  #sessionId = '';
  #lastHeardAt = 0;
  /** How many times the session has connected (see `connections`). */
  #connections = 0;
  /** Monotonic time of the last move to 'disconnected' (or of the last dropped reconnect). */
  #disconnectedAt = 0;
  #closing: Promise<void> | undefined;
  /** Aborted to cut the probe loop's wait short (after a reconnect). */
  #probeNow = new AbortController();
  /** Set while close() waits for the library to report the socket closed. */
  #onRawClosed: (() => void) | undefined;

  constructor(options: ZkConnectionOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    const target = options.chroot ? `${options.connect}${options.chroot}` : options.connect;
    this.#raw = zookeeperLibrary().createClient(target, { sessionTimeout: options.sessionTimeoutMs, spinDelay: SPIN_DELAY_MS, retries: 0 });
    tapReplies(this.#raw.connectionManager);
    if (options.acl) authenticate(this.#raw, options.acl.digest);
  }

  get state(): ZkClientState {
    return this.#state;
  }
  /** The session id, 16 hex digits; '' before the first connect. */
  get sessionId(): string {
    return this.#sessionId;
  }
  /** The session timeout the server granted, ms. */
  get sessionTimeoutMs(): number {
    return this.#raw.getSessionTimeout();
  }
  /**
   * Monotonic time (on `clock`) at which the last request that went through the ensemble leader
   * and succeeded (provesSessionHeld: the probe's `sync`, or a write) was SENT. The leader held the
   * session when it handled that request, which was after we sent it, so `lastHeardAt + x` is an
   * early (safe) estimate of "x after the quorum last held the session". The leader learns that
   * a follower heard us only at its next ping of that follower (every tickTime / 2), and the
   * touch of the very last request may never reach it if the link dies just after: the leader's
   * expiry can fall up to one probe interval + tickTime / 2 before `lastHeardAt + timeout`. The
   * session's `ttlMs - renewDeadlineMs` must cover that (see zk-session.ts).
   */
  get lastHeardAt(): number {
    return this.#lastHeardAt;
  }
  /**
   * How many times the session has connected so far (1 after `open`, one more per reconnect).
   * On one connection the server sends answers and watch events in the order it handled them,
   * so a watch event that came before an answer concerns a state older than that answer.
   */
  get connections(): number {
    return this.#connections;
  }
  /** Aborts when the connection ends for good (expired or closed). */
  get ended(): AbortSignal {
    return this.#ended.signal;
  }

  /** Calls `listener` on every state change until `signal` aborts. */
  onStateChange(listener: (state: ZkClientState) => void, signal: AbortSignal): void {
    if (signal.aborted) return;
    this.#listeners.add(listener);
    signal.addEventListener('abort', () => this.#listeners.delete(listener), { once: true });
  }

  /**
   * Connects and waits for the session (steps: 1. start the library, 2. wait for the first
   * `connected`, the signal, or `timeoutMs`, 3. on failure close everything and reject).
   */
  async open(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    // Before any I/O: closing the library's client in the same tick as its connect() throws
    // (it writes to a socket it has not made yet).
    if (signal?.aborted) throw new AbortedError('ZooKeeper connect', signal.reason);
    this.#raw.on('state', (state) => this.#onRawState(state));
    const startedAt = this.clock.now();
    this.#raw.connect();
    try {
      await untilConnected(this, timeoutMs, signal);
    } catch (error) {
      await this.close();
      throw error;
    }
    this.#lastHeardAt = startedAt;
    void this.#probeLoop();
  }

  /**
   * Runs one library call so that it always settles: with the library's answer, AbortedError on
   * `signal`, ClosedError or SESSION_EXPIRED when the connection ends, CONNECTION_LOSS on timeout.
   */
  call<T>(what: string, path: string, options: ZkCallOptions, start: (done: Done<T>) => void): Promise<T> {
    if (this.#state === 'closed') return Promise.reject(new ClosedError('ZooKeeper client'));
    if (this.#state === 'expired') return Promise.reject(sessionExpired(path));
    if (options.signal?.aborted) return Promise.reject(new AbortedError(`ZooKeeper ${what} ${path}`, options.signal.reason));
    const timeoutMs = options.timeoutMs ?? this.options.callTimeoutMs ?? this.options.sessionTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      new ZkCall<T>(this.#calls, what, path, options.signal, timeoutMs, this.clock.now(), start, resolve, reject).begin();
    });
  }

  /**
   * ZooKeeper `sync`: resolves once the ensemble leader has handled it and our server has caught
   * up with every write committed before (so the next read sees them). See zk-session-proof.ts.
   * It goes past the request window (zk-request-window.ts): the liveness probe must not wait
   * behind the session's own requests.
   */
  sync(path: string, options: ZkCallOptions = {}): Promise<void> {
    return this.call<void>('sync', path, options, (done) => this.#raw.connectionManager.queue(syncRequest(path), (error) => done(error)));
  }

  /** The raw library client, for ZkClient's calls only. */
  get raw(): RawClient {
    return this.#raw;
  }

  /** Ends the session at once (the server deletes its ephemeral znodes). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const wasConnected = this.#state === 'connected';
    const wasExpired = this.#state === 'expired';
    this.#setState('closed', true);
    this.#end(new ClosedError('ZooKeeper client'));
    if (wasExpired) return;
    // 1. Ask the server to close the session; 2. wait for the socket to close, at most the grace;
    // 3. drop the socket ourselves so no reconnect is attempted.
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wasConnected ? CLOSE_GRACE_MS : 0);
      this.#onRawClosed = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#raw.close();
    await closed;
    this.#raw.connectionManager.socket?.destroy();
    clearTimeout(this.#raw.connectionManager.connectTimeoutHandler); // see zk-library.ts
  }

  #onRawState(state: RawState): void {
    const { State } = zookeeperLibrary();
    if (state === State.SYNC_CONNECTED) {
      this.#sessionId = sessionIdHex(this.#raw.getSessionId());
      this.#connections++;
      this.#setState('connected');
      // Probe at once after a reconnect: the deadline should move as soon as the server can hear us.
      this.#probeNow.abort();
      this.#probeNow = new AbortController();
    } else if (state === State.DISCONNECTED) {
      if (this.#state === 'closed') this.#onRawClosed?.();
      else if (this.#state !== 'disconnected') {
        this.#disconnectedAt = this.clock.now();
        this.#setState('disconnected');
      }
    } else if (state === State.EXPIRED || state === State.AUTH_FAILED) {
      this.#setState('expired');
      this.#end(sessionExpired(''));
    }
  }

  /**
   * A server that accepts the socket but never answers the handshake (seen with a ZooKeeper
   * 3.8 server still starting up) would hold the library for its connect timeout, which is the
   * whole session timeout with one server: by then the session is gone. Drop such an attempt
   * after the read timeout; the library then tries again at once.
   */
  #unstickHandshake(readTimeout: number): void {
    if (this.#state !== 'disconnected' || this.clock.now() - this.#disconnectedAt < readTimeout) return;
    this.#disconnectedAt = this.clock.now();
    this.#raw.connectionManager.socket?.destroy();
  }

  /** Moves to `state`; 'closed' and 'expired' are final unless `force` (close after expiry). */
  #setState(state: ZkClientState, force = false): void {
    if (this.#state === state || (!force && (this.#state === 'closed' || this.#state === 'expired'))) return;
    this.#state = state;
    for (const listener of [...this.#listeners]) listener(state);
  }

  #end(error: Error): void {
    for (const call of this.#calls.deadlines.takeAll()) call.fail(error);
    this.#ended.abort(error);
    this.#listeners.clear();
  }

  #heard(sentAt: number): void {
    if (sentAt > this.#lastHeardAt) this.#lastHeardAt = sentAt;
  }

  /**
   * The liveness probe: 1. every probe interval, while connected, send `sync('/')`;
   * 2. its success moves `lastHeardAt` to its send time (in `call`): only the ensemble leader can
   * make it succeed, so a follower cut from its quorum cannot keep us "alive"; 3. no answer within
   * the read timeout drops the socket, so the library moves on to the next server of the connect
   * string (a sync through a cut follower is never answered); 4. while disconnected, a reconnect
   * that has not completed within the read timeout is dropped too.
   */
  async #probeLoop(): Promise<void> {
    const interval = this.options.probeIntervalMs ?? Math.max(1, Math.floor(this.options.sessionTimeoutMs / 5));
    const readTimeout = this.options.readTimeoutMs ?? Math.max(1, Math.floor(this.options.sessionTimeoutMs / 3));
    const signal = this.#ended.signal;
    while (!signal.aborted) {
      const probeSoon = anySignal(signal, this.#probeNow.signal);
      await pause(this.clock, interval, probeSoon);
      probeSoon.dispose(); // one a probe interval: the connection's `ended` keeps none of them
      if (signal.aborted) return; // ended: the loop stops with the connection
      if (this.#state !== 'connected') {
        this.#unstickHandshake(readTimeout);
        continue;
      }
      const started = this.clock.now();
      try {
        await this.sync('/', { timeoutMs: readTimeout });
        this.options.onProbe?.(this.clock.now() - started, true);
      } catch (error) {
        this.options.onProbe?.(this.clock.now() - started, false);
        if (error instanceof ZooKeeperError && this.#state === 'connected') this.#raw.connectionManager.socket?.destroy();
      }
    }
  }
}
