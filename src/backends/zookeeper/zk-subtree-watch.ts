import type { Clock } from '../../clock.js';
import type { ZkClient, ZkEvent } from './zk-client.js';
import { isZkError } from './zookeeper-error.js';

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
 * 4. A failed call (connection loss) calls the listener and arms again after `retryMs`.
 * 5. Once the first arming is done, the listener is called once (see `start`).
 */
export class SubtreeWatch {
  readonly #options: SubtreeWatchOptions;
  readonly #known = new Set<string>();
  readonly #onEvent = (event: ZkEvent) => this.#handle(event);

  constructor(options: SubtreeWatchOptions) {
    this.#options = options;
  }

  /**
   * Arms the subtree, then, for a subtree more than one level deep (KV prefixes), calls the
   * listener once if the root exists: a reader that read before the deeper watches were set
   * (they take a round trip per level) may have missed a change in between, so it is told to
   * read again. An absent root had nothing to miss; a one-level watch (members, an election)
   * is armed with the root's own child watch, right behind the root's.
   */
  start(): void {
    const { signal, client, root } = this.#options;
    signal.addEventListener('abort', () => client().removeWatcher(this.#onEvent), { once: true });
    void this.#arm(root, 0, false).then(() => {
      if (this.#options.depth > 1 && this.#known.has(root)) this.#notify();
    });
  }

  /** Sets every watch again (after the client was replaced) and calls the listener once. */
  rearm(): void {
    if (this.#options.signal.aborted) return;
    this.#known.clear();
    this.#notify();
    void this.#arm(this.#options.root, 0, false);
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
    // The hint goes out only once the watch is set again: a reader woken by it then reads a
    // state at least as new as the one the new watch was set on, so a change that lands
    // between the notification and the re-arming read is never missed (one-shot watches).
    void rearmed.then(() => this.#notify());
  }

  async #arm(path: string, depth: number, announce: boolean): Promise<void> {
    if (this.#options.signal.aborted) return;
    this.#known.add(path);
    try {
      const stat = await this.#options.client().exists(path, { watch: this.#onEvent, signal: this.#options.signal });
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
      const children = await this.#options.client().getChildren(path, { watch: this.#onEvent, signal: this.#options.signal });
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
    this.#notify();
    this.#options.clock.sleep(this.#options.retryMs, { signal }).then(
      () => this.#arm(path, depth, true),
      () => undefined, // aborted: the watch is over
    );
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
