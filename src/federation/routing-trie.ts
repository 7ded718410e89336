/**
 * A trie over whole path segments: sharding key -> realm. Inserting refuses duplicates and
 * nested keys; a lookup walks the path one segment at a time without splitting it, so its cost
 * depends on the path's depth, not on how many keys there are.
 */
import { InvalidRoutingDataError, InvalidArgumentError, RoutingError } from '../errors.js';
import { keySegments } from './sharding-key.js';

/** Where a path goes: the realm that holds it and the sharding key that put it there. */
export interface Route {
  readonly realm: string;
  readonly shardingKey: string;
}

interface TrieNode {
  children: Map<string, TrieNode> | undefined;
  /** Set on the node of a sharding key (such a node never has children). */
  route: Route | undefined;
}

export class RoutingTrie {
  readonly #root: TrieNode = { children: undefined, route: undefined };
  #size = 0;

  /** How many sharding keys the trie holds. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds `key` (already a valid sharding key) for `realm`. Throws InvalidRoutingDataError naming
   * the conflicting key when it duplicates a key, lies under one, or has one under it.
   */
  insert(key: string, realm: string): void {
    const segments = keySegments(key);
    // 1. "/" may only be the sole key: it contains every other key.
    if (segments.length === 0 && this.#size > 0) {
      const other = anyKeyBelow(this.#root) as string;
      throw new InvalidRoutingDataError(key, `sharding key "/" must be the only key, but "${other}" is present too`, other);
    }
    // 2. Walk down: passing through an existing key means the new key is nested in it.
    let node = this.#root;
    for (const segment of segments) {
      if (node.route) throw nested(key, node.route);
      const child = node.children?.get(segment);
      if (!child) {
        node = this.#grow(node, segment);
        continue;
      }
      node = child;
    }
    // 3. At the key's own node: an existing key here is a duplicate, keys below are nested in it.
    if (node.route) {
      const existing = node.route;
      throw new InvalidRoutingDataError(
        key,
        `sharding key "${key}" is listed twice (realms "${existing.realm}" and "${realm}"); each key belongs to exactly one realm`,
        existing.shardingKey,
      );
    }
    const below = anyKeyBelow(node);
    if (below !== undefined) {
      throw new InvalidRoutingDataError(key, `sharding key "${key}" contains sharding key "${below}"; keys must not be nested`, below);
    }
    node.route = Object.freeze({ realm, shardingKey: key });
    this.#size++;
  }

  /**
   * The route of `path`: the sharding key that is a prefix of it on segment boundaries.
   * Throws RoutingError naming the path when no key is a prefix of it or when it is a proper
   * prefix of keys; InvalidArgumentError when it does not start with "/" or has an empty segment.
   */
  lookup(path: string): Route {
    const found = this.#walk(path);
    if (typeof found === 'object') return found;
    throw routingError(path, found);
  }

  /** Like {@link lookup} but returns the reason instead of throwing a RoutingError. */
  tryLookup(path: string): Route | 'NO_KEY' | 'PREFIX_OF_KEY' {
    return this.#walk(path);
  }

  #walk(path: string): Route | 'NO_KEY' | 'PREFIX_OF_KEY' {
    // 1. A root key "/" holds every path.
    let node = this.#root;
    if (node.route) return node.route;
    if (path.charCodeAt(0) !== 47 /* '/' */) throw badPath(path);
    if (path.length === 1) return node.children ? 'PREFIX_OF_KEY' : 'NO_KEY';
    // 2. Follow one segment at a time; the first key met is the route.
    let start = 1;
    for (;;) {
      const slash = path.indexOf('/', start);
      const end = slash < 0 ? path.length : slash;
      if (end === start) throw badPath(path);
      const child = node.children?.get(path.slice(start, end));
      if (!child) return 'NO_KEY';
      if (child.route) return child.route;
      // 3. The path ends above every key below it: it belongs to no realm.
      if (slash < 0) return 'PREFIX_OF_KEY';
      node = child;
      start = slash + 1;
    }
  }

  #grow(node: TrieNode, segment: string): TrieNode {
    const child: TrieNode = { children: undefined, route: undefined };
    (node.children ??= new Map()).set(segment, child);
    return child;
  }
}

function anyKeyBelow(node: TrieNode): string | undefined {
  if (node.route) return node.route.shardingKey;
  for (const child of node.children?.values() ?? []) {
    const key = anyKeyBelow(child);
    if (key !== undefined) return key;
  }
  return undefined;
}

function nested(key: string, outer: Route): InvalidRoutingDataError {
  return new InvalidRoutingDataError(
    key,
    `sharding key "${key}" is nested in sharding key "${outer.shardingKey}" (realm "${outer.realm}"); keys must not be nested`,
    outer.shardingKey,
  );
}

function badPath(path: string): InvalidArgumentError {
  return new InvalidArgumentError(`path "${path}" is not a valid ZooKeeper path: it must start with "/" and have no empty segment`);
}

/** The RoutingError for a path that {@link RoutingTrie.tryLookup} could not route. */
export function routingError(path: string, reason: 'NO_KEY' | 'PREFIX_OF_KEY'): RoutingError {
  return reason === 'NO_KEY'
    ? new RoutingError(path, reason, `path "${path}" is under no sharding key; add a key for it to the routing data`)
    : new RoutingError(path, reason, `path "${path}" is a proper prefix of sharding keys; only paths at or under a key belong to a realm`);
}
