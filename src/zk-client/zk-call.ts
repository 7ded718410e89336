/**
 * One library call of a {@link ZkConnection}, from its start to its settling: the answer,
 * AbortedError on its signal, CONNECTION_LOSS at its deadline, or the connection's end.
 *
 * One object per call carries all of it (its place in the request window and in the deadline
 * queues; the abort listener of its signal is shared, zk-call-aborts.ts), where the call was a timer, an abort listener
 * and five closures: placing 10,000 buckets on ZooKeeper makes tens of thousands of calls, and
 * their bookkeeping was about 37 MB of the 949 MB one node allocated (issue 12).
 */
import { AbortedError, InvalidArgumentError } from '../errors.js';
import type { Abortable } from './zk-call-aborts.js';
import { stopWatching, watchAbort } from './zk-call-aborts.js';
import type { CallDeadlines, Deadlined, DueQueue } from './zk-call-deadlines.js';
import type { RawException } from './zk-library.js';
import type { RequestWindow, WindowEntry } from './zk-request-window.js';
import { provesSessionHeld } from './zk-session-proof.js';
import { ZooKeeperError, zkCodeName } from './zookeeper-error.js';

/** The library's callback shape; a ZooKeeperError passes through as it is. */
export type Done<T> = (error: RawException | ZooKeeperError | null, value?: T) => void;

/** What a call needs of its connection (one per connection, shared by its calls). */
export interface CallHost {
  readonly window: RequestWindow;
  readonly deadlines: CallDeadlines<ZkCall<unknown>>;
  /** Called just before the request is handed to the library (zk-write-batch.ts). */
  beforeSend(): void;
  /** A request sent at `sentAt` (on the connection's clock) was answered by the ensemble leader. */
  heard(sentAt: number): void;
}

/** One call (see the module comment); made by ZkConnection.call only. */
export class ZkCall<T> implements Deadlined, WindowEntry, Abortable {
  deadline = 0;
  dueIn: DueQueue | undefined = undefined;
  prevDue: Deadlined | undefined = undefined;
  nextDue: Deadlined | undefined = undefined;
  windowState: WindowEntry['windowState'] = 'done';
  #settled = false;
  readonly #host: CallHost;
  readonly #what: string;
  readonly #path: string;
  readonly #signal: AbortSignal | undefined;
  readonly #timeoutMs: number;
  /** On the connection's clock, taken no later than the send: lastHeardAt errs early (safe). */
  readonly #sentAt: number;
  readonly #start: (done: Done<T>) => void;
  readonly #resolve: (value: T) => void;
  readonly #reject: (error: Error) => void;

  /** Positional, not an options object: one call allocates no more than it must. */
  constructor(
    host: CallHost,
    what: string,
    path: string,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    sentAt: number,
    start: (done: Done<T>) => void,
    resolve: (value: T) => void,
    reject: (error: Error) => void,
  ) {
    this.#host = host;
    this.#what = what;
    this.#path = path;
    this.#signal = signal;
    this.#timeoutMs = timeoutMs;
    this.#sentAt = sentAt;
    this.#start = start;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /**
   * Starts waiting: under the deadline, on the signal (a listener only when there is a signal),
   * and sends now (`sync`, which goes past the window) or once the window has room.
   */
  begin(): void {
    this.#host.deadlines.add(this as ZkCall<unknown>, this.#timeoutMs);
    if (this.#signal !== undefined) watchAbort(this.#signal, this);
    if (this.#what === 'sync') this.send();
    else this.#host.window.admit(this);
  }

  /** Hands the request to the library; false when the call settled before its turn. */
  send(): boolean {
    if (this.#settled) return false;
    this.#host.beforeSend();
    try {
      this.#start((error, value) => this.#answer(error, value));
    } catch (error) {
      this.fail(new InvalidArgumentError(`ZooKeeper ${this.#what} ${this.#path}: ${(error as Error).message}`));
    }
    return true;
  }

  /** The signal aborted (zk-call-aborts.ts). */
  handleAbort(): void {
    this.fail(new AbortedError(`ZooKeeper ${this.#what} ${this.#path}`, this.#signal?.reason));
  }

  /** The deadline passed with no answer. */
  expire(): void {
    this.fail(new ZooKeeperError('CONNECTION_LOSS', `ZooKeeper ${this.#what} ${this.#path}: no answer within ${this.#timeoutMs} ms`, { path: this.#path }));
  }

  /** Settles with `error` unless settled already (the connection ended, timed out, aborted). */
  fail(error: Error): void {
    if (this.#finish()) this.#reject(error);
  }

  #answer(error: RawException | ZooKeeperError | null, value?: T): void {
    if (!error && provesSessionHeld(this.#what)) this.#host.heard(this.#sentAt);
    if (error === null || error === undefined) {
      if (this.#finish()) this.#resolve(value as T);
    } else if (error instanceof ZooKeeperError) this.fail(error);
    else this.fail(answerError(error, this.#what, this.#path));
  }

  /** Leaves the window, the deadline queues and the signal; false when settled already. */
  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    if (this.#what !== 'sync') this.#host.window.release(this);
    this.#host.deadlines.remove(this as ZkCall<unknown>);
    if (this.#signal !== undefined) stopWatching(this.#signal, this);
    return true;
  }
}

/**
 * The ZooKeeperError for a refused call, made without a stack: it is built in the library's
 * socket data handler, so its stack would only ever show the library's frames, never the
 * caller's (who awaits it from another turn), and capturing it cost 3% of a 10 x 10,000
 * ZooKeeper cold start's node CPU (an expected NO_NODE on every cold election's first create).
 */
function answerError(error: RawException, what: string, path: string): ZooKeeperError {
  const code = zkCodeName(error.getCode());
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new ZooKeeperError(code, `ZooKeeper ${what} ${path} failed: ${code}`, { path, cause: error });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}
