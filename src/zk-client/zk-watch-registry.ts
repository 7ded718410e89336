import type { RawEvent, RawWatcher } from './zk-library.js';
import { EVENT_TYPES } from './zk-library.js';

/** A watch notification. Watches are one-shot, as in ZooKeeper: set them again to keep watching. */
export interface ZkEvent {
  readonly type: 'created' | 'deleted' | 'dataChanged' | 'childrenChanged';
  readonly path: string;
}
export type ZkWatcher = (event: ZkEvent) => void;

/** Data watches come from getData and exists; child watches from getChildren. */
export type WatchKind = 'data' | 'child';

/**
 * Fans one library watcher per (kind, path) out to our watchers. The library keeps every
 * function it is given until its event fires, so handing it a new closure per call would pile
 * up listeners on quiet paths; here it holds at most one per (kind, path), and a watcher that
 * is no longer wanted is dropped at once with `remove`.
 */
export class WatchRegistry {
  readonly #watchers = new Map<string, Set<ZkWatcher>>();
  /** The keys each watcher is in, so that `remove` visits those only (a node holds a watch per item it holds). */
  readonly #keysOf = new Map<ZkWatcher, Set<string>>();
  readonly #raw = new Map<string, RawWatcher>();

  /** The library-facing function for (kind, path): the same one until it fires. */
  raw(kind: WatchKind, path: string): RawWatcher {
    const key = `${kind}:${path}`;
    let raw = this.#raw.get(key);
    if (!raw) {
      raw = (event) => this.#fire(key, event);
      this.#raw.set(key, raw);
    }
    return raw;
  }

  /** Adds `watcher` to (kind, path); call it right after the library accepted the watch. */
  add(kind: WatchKind, path: string, watcher: ZkWatcher): void {
    const key = `${kind}:${path}`;
    let set = this.#watchers.get(key);
    if (!set) {
      set = new Set();
      this.#watchers.set(key, set);
    }
    set.add(watcher);
    let keys = this.#keysOf.get(watcher);
    if (!keys) {
      keys = new Set();
      this.#keysOf.set(watcher, keys);
    }
    keys.add(key);
  }

  /** Stops notifying `watcher` anywhere (the server-side watch stays until it fires). */
  remove(watcher: ZkWatcher): void {
    for (const key of this.#keysOf.get(watcher) ?? []) {
      const set = this.#watchers.get(key);
      set?.delete(watcher);
      if (set?.size === 0) this.#watchers.delete(key);
    }
    this.#keysOf.delete(watcher);
  }

  #fire(key: string, raw: RawEvent): void {
    this.#raw.delete(key);
    const set = this.#watchers.get(key);
    this.#watchers.delete(key);
    for (const watcher of set ?? []) {
      const keys = this.#keysOf.get(watcher);
      keys?.delete(key);
      if (keys?.size === 0) this.#keysOf.delete(watcher);
    }
    const type = EVENT_TYPES[raw.type];
    if (!set || !type) return;
    const event: ZkEvent = { type, path: raw.path };
    for (const watcher of set) {
      try {
        watcher(event);
      } catch (error) {
        // A throwing watcher must not break the library's socket handler; report it loudly.
        process.emitWarning(`ZooKeeper watcher for ${raw.path} threw: ${String(error)}`, 'BatonZooKeeperWarning');
      }
    }
  }
}
