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
 * Fans the library's watches out to our watchers. The library keeps every function it is given
 * on a path until that path's event fires (one registration per function and path), so it is
 * given one function per kind, the same for every path: re-setting a watch adds no listener,
 * and a path costs the library one registration whatever number of our watchers wait there. A
 * watcher that is no longer wanted is dropped at once with `remove`.
 *
 * A node holds a watch per item it holds (thousands: issue 12), nearly always one watcher on a
 * path and one path per watcher, so each side is kept as the one value until a second comes
 * (see OneOrMany), and paths are the caller's own strings, not keys built from them.
 */
export class WatchRegistry {
  /** Per kind: path -> the watchers set there. */
  readonly #watchers = { data: new OneOrMany<string, ZkWatcher>(), child: new OneOrMany<string, ZkWatcher>() };
  /** Per kind: watcher -> the paths it is set on, so that `remove` visits those only. */
  readonly #pathsOf = { data: new OneOrMany<ZkWatcher, string>(), child: new OneOrMany<ZkWatcher, string>() };
  readonly #raw: Readonly<Record<WatchKind, RawWatcher>> = {
    data: (event) => this.#fire('data', event),
    child: (event) => this.#fire('child', event),
  };

  /** The library-facing function for `kind`: one for every path (see the class comment). */
  raw(kind: WatchKind): RawWatcher {
    return this.#raw[kind];
  }

  /** Adds `watcher` to (kind, path); call it right after the library accepted the watch. */
  add(kind: WatchKind, path: string, watcher: ZkWatcher): void {
    this.#watchers[kind].add(path, watcher);
    this.#pathsOf[kind].add(watcher, path);
  }

  /** Stops notifying `watcher` anywhere (the server-side watch stays until it fires). */
  remove(watcher: ZkWatcher): void {
    for (const kind of ['data', 'child'] as const) {
      for (const path of this.#pathsOf[kind].take(watcher)) this.#watchers[kind].delete(path, watcher);
    }
  }

  /** How many (kind, path) entries and watchers are kept: for tests of what a held item costs. */
  get size(): { paths: number; watchers: number } {
    return {
      paths: this.#watchers.data.size + this.#watchers.child.size,
      watchers: this.#pathsOf.data.size + this.#pathsOf.child.size,
    };
  }

  #fire(kind: WatchKind, raw: RawEvent): void {
    const watchers = this.#watchers[kind].take(raw.path);
    for (const watcher of watchers) this.#pathsOf[kind].delete(watcher, raw.path);
    const type = EVENT_TYPES[raw.type];
    if (!type) return;
    const event: ZkEvent = { type, path: raw.path };
    for (const watcher of watchers) {
      try {
        watcher(event);
      } catch (error) {
        // A throwing watcher must not break the library's socket handler; report it loudly.
        process.emitWarning(`ZooKeeper watcher for ${raw.path} threw: ${String(error)}`, 'BatonZooKeeperWarning');
      }
    }
  }
}

/** A multimap that keeps a key's one value as itself, and a Set only once a key has two. */
class OneOrMany<K, V> {
  readonly #map = new Map<K, V | Set<V>>();

  get size(): number {
    return this.#map.size;
  }

  add(key: K, value: V): void {
    const current = this.#map.get(key);
    if (current === undefined) this.#map.set(key, value);
    else if (current instanceof Set) current.add(value);
    else if (current !== value) this.#map.set(key, new Set([current, value]));
  }

  delete(key: K, value: V): void {
    const current = this.#map.get(key);
    if (current === value) this.#map.delete(key);
    else if (current instanceof Set) {
      current.delete(value);
      if (current.size === 0) this.#map.delete(key);
    }
  }

  /** Removes the key; returns its values. */
  take(key: K): readonly V[] {
    const current = this.#map.get(key);
    if (current === undefined) return [];
    this.#map.delete(key);
    return current instanceof Set ? [...current] : [current];
  }
}
