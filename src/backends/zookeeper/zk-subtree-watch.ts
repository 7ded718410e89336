import { pause, fanOutSignal } from '../../async.js';
import type { Clock } from '../../clock.js';
import type { ZkClient, ZkEvent } from '../../zk-client/zk-client.js';
import { isZkError } from '../../zk-client/zookeeper-error.js';

export interface SubtreeWatchOptions {
  /** The client to set watches with (may change when a session expires; see `rearm`). */
  readonly client: () => ZkClient;
  /** The znode whose subtree is watched; it need not exist yet. */
  readonly root: string;
  /** How deep below `root` to watch: 1 = the root's children, Infinity = everything. */
  readonly depth: number;
  readonly listener: () => void;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  /** How long to wait before setting a watch again after a failed call, ms (on `clock`). */
  readonly retryMs: number;
}

/**
 * Watches every znode in a subtree with ZooKeeper's one-shot watches, setting them again after
 * each notification, and calls the listener (a level-triggered hint) after any create, delete
 * or data change. It never calls the listener after `signal` aborted.
 *
 * 1. Arm a znode: an `exists` watch (data change / delete / create of the root) and, above the
 *    depth limit, a child watch; remember its children and arm each new one.
 * 2. On a notification: arm what it concerns again, then call the listener.
 * 3. Children found by re-arming that were not known also call the listener (they may have been
 *    created after the hint that led the reader to read).
 * 4. A failed call (connection loss) arms again after `retryMs`, then calls the listener.
 * 5. Once the first arming (or a re-arming after a new session) is done, the listener is
 *    called once (see `start`).
 *
 * The rule behind 2, 4 and 5: a hint goes out only after the watches it answers for are set, so
 * a reader woken by it reads a state at least as new as the one the watches were set on. A
 * change that lands while a watch is missing (between a notification and the re-arming read,
 * during the first arming, or while a failed call waits to be retried) is then never missed.
 */
export class SubtreeWatch {
  readonly #options: SubtreeWatchOptions;
  readonly #known = new Set<string>();
  readonly #onEvent = (event: ZkEvent) => this.#handle(event);
  /** The watch's signal for its calls: arming a level sends one call per child, in parallel. */
  readonly #calls: AbortSignal;

  constructor(options: SubtreeWatchOptions) {
    this.#options = options;
    this.#calls = fanOutSignal(options.signal);
  }

  /**
   * Arms the subtree, then calls the listener once. The caller reads as soon as this returns,
   * while the watches are still being set: each level takes a round trip (even a one-level
   * watch such as the members': the root's child watch is set only after its `exists` answered),
   * so a child created between the caller's read and its level's watch would otherwise go
   * unnoticed until the next change. The hint after the arming makes the caller read once more.
   */
  start(): void {
    const { signal, client } = this.#options;
    signal.addEventListener('abort', () => client().removeWatcher(this.#onEvent), { once: true });
    this.#armAllThenNotify();
  }

  /** Sets every watch again (after the client was replaced), then calls the listener once. */
  rearm(): void {
    if (this.#options.signal.aborted) return;
    this.#known.clear();
    this.#armAllThenNotify();
  }

  #armAllThenNotify(): void {
    void this.#arm(this.#options.root, 0, false).then(() => this.#notify());
  }

  #handle(event: ZkEvent): void {
    if (this.#options.signal.aborted) return;
    const depth = this.#depthOf(event.path);
    if (depth < 0) {
      this.#notify();
      return;
    }
    let rearmed: Promise<void> = Promise.resolve();
    if (event.type === 'deleted') {
      for (const path of this.#known) if (path === event.path || path.startsWith(`${event.path}/`)) this.#known.delete(path);
      if (event.path === this.#options.root) rearmed = this.#arm(event.path, 0, true);
    } else if (event.type === 'childrenChanged') {
      rearmed = this.#armChildren(event.path, depth, true);
    } else {
      rearmed = this.#arm(event.path, depth, true);
    }
    // Only once the watch is set again (the rule in the class comment).
    void rearmed.then(() => this.#notify());
  }

  async #arm(path: string, depth: number, announce: boolean): Promise<void> {
    if (this.#options.signal.aborted) return;
    this.#known.add(path);
    try {
      const stat = await this.#options.client().exists(path, { watch: this.#onEvent, signal: this.#calls });
      if (stat === null) {
        this.#known.delete(path);
        return;
      }
      await this.#armChildren(path, depth, announce);
    } catch (error) {
      this.#retry(error, path, depth);
    }
  }

  async #armChildren(path: string, depth: number, announce: boolean): Promise<void> {
    if (depth >= this.#options.depth || this.#options.signal.aborted) return;
    try {
      const children = await this.#options.client().getChildren(path, { watch: this.#onEvent, signal: this.#calls });
      const fresh = children.map((c) => `${path}/${c}`).filter((p) => !this.#known.has(p));
      if (fresh.length > 0 && announce && !this.#options.signal.aborted) this.#notify();
      await Promise.all(fresh.map((child) => this.#arm(child, depth + 1, announce)));
    } catch (error) {
      this.#retry(error, path, depth);
    }
  }

  #retry(error: unknown, path: string, depth: number): void {
    const { signal } = this.#options;
    if (signal.aborted || isZkError(error, 'NO_NODE')) return;
    if (isZkError(error, 'SESSION_EXPIRED') || (error as { code?: string }).code === 'CLOSED') return; // rearm() follows a replacement
    this.#known.delete(path);
    // Whatever changed at `path` while its watch was missing is told once the watch is set again.
    // Many children of a level can fail at once (a connection loss), each sleeping here: on the
    // fan-out signal, so that the watch's own signal carries one listener, not one per retry.
    void pause(this.#options.clock, this.#options.retryMs, this.#calls).then((slept) => {
      if (slept) return this.#arm(path, depth, true).then(() => this.#notify()); // else aborted: the watch is over
    });
  }

  /** Calls the listener; one that throws is reported, and cannot break the watch loop. */
  #notify(): void {
    if (this.#options.signal.aborted) return;
    try {
      this.#options.listener();
    } catch (error) {
      process.emitWarning(`a ZooKeeper watch listener on ${this.#options.root} threw: ${String(error)}`, 'BatonZooKeeperWarning');
    }
  }

  #depthOf(path: string): number {
    const root = this.#options.root;
    if (path === root) return 0;
    if (!path.startsWith(`${root}/`)) return -1;
    return path.slice(root.length + 1).split('/').length;
  }
}
