import { InvalidArgumentError } from '../../errors.js';
import { validateKey, validatePrefix } from '../../contract/names.js';

/** Where a ZkKv keeps its keys: the folder znode and how keys map to znodes below it. */
export interface KvPaths {
  /** The folder znode; a key `a/b` is the znode `{kv}/a/b`. */
  readonly kv: string;
  kvPath(key: string): string;
  /** The znode under which every key with `prefix` lives (`kv` itself for ''). */
  kvPrefixPath(prefix: string): string;
  /** The key a znode path under `kv` stands for. */
  keyOf(path: string): string;
}

/**
 * KV paths rooted at any absolute znode path (inside the connection's chroot), for layouts
 * shared with other systems, such as Amoro's `/{cluster}/amoro/ams` (Backend.kvAtPath).
 */
export class ZkKvRoot implements KvPaths {
  readonly kv: string;

  constructor(root: string) {
    if (!root.startsWith('/') || root === '/') {
      throw new InvalidArgumentError(`znode path "${root}" is invalid: it must be absolute ("/a/b") and not the root itself`);
    }
    validateKey(root.slice(1));
    this.kv = root;
  }

  kvPath(key: string): string {
    return `${this.kv}/${validateKey(key)}`;
  }

  kvPrefixPath(prefix: string): string {
    validatePrefix(prefix);
    return prefix === '' ? this.kv : `${this.kv}/${prefix.slice(0, -1)}`;
  }

  keyOf(path: string): string {
    return path.slice(this.kv.length + 1);
  }
}
