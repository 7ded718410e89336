/**
 * The rules for one sharding key and one realm name, shared by the federated client and the
 * directory service (so both refuse the same input with the same message).
 *
 * - A sharding key is exactly what Helix accepts (metadata-store-directory-common
 *   `ZkValidationUtil.isPathValid`, used by `TrieRoutingData` on the directory and in every
 *   Helix client): `/`, or one or more `/segment` where a segment is one or more of the ASCII
 *   letters, digits and `_ ? $ & + , : ; = @ # | ' < > . ^ * ( ) % ! -`. So no trailing slash,
 *   no `//`, no space, no non-ASCII letter; `.` and `..` segments and any length pass, as in
 *   Helix. A key baton accepts therefore never makes a Helix client fail to build its routing
 *   data, and a key Helix accepts is never refused by baton.
 * - A realm name is what the federated client connects to (a ZooKeeper connect string such as
 *   `zk-a:2181,zk-b:2181`) and the name of its znode in the routing layout. Helix sets no rule
 *   of its own but the znode's (its writer creates `/METADATA_STORE_ROUTING_DATA/{realm}`), so a
 *   realm name is one znode name: not empty, no `/`, not `.` or `..`, none of the characters
 *   ZooKeeper refuses in a path (`PathUtils.validatePath`), at most 255 characters. Every realm
 *   of an existing Helix routing ZooKeeper is therefore read as it is.
 */
import { InvalidRoutingDataError } from '../errors.js';

/** The longest realm name accepted, in characters. */
export const MAX_REALM_NAME_LENGTH = 255;

// Characters ZooKeeper refuses in a path (PathUtils.validatePath): NUL and controls, the C1
// controls, surrogates and private use, and the specials block.
// eslint-disable-next-line no-control-regex
const REFUSED_BY_ZOOKEEPER = /[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/;
/**
 * Helix's valid ZooKeeper path: `^/|(/[\w?[$&+,:;=?@#|'<>.^*()%!-]-]+)+$` under Java's
 * `String.matches` (whole string; `\w` is ASCII only), written out as one JavaScript pattern.
 */
const HELIX_ZK_PATH = /^(?:\/|(?:\/[A-Za-z0-9_?$&+,:;=@#|'<>.^*()%!-]+)+)$/;

/**
 * True when `path` is a valid ZooKeeper path by Helix's rule (ZkValidationUtil.isPathValid):
 * the rule for sharding keys, and for the `sharding-key` and `prefix` queries of the directory.
 */
export function isValidZkPath(path: string): boolean {
  return HELIX_ZK_PATH.test(path);
}

/** Returns `key` if it is a valid sharding key, else throws InvalidRoutingDataError saying why. */
export function validateShardingKey(key: unknown): string {
  if (typeof key !== 'string') {
    throw new InvalidRoutingDataError(String(key), `sharding key ${JSON.stringify(key)} is not a string`);
  }
  if (!isValidZkPath(key)) {
    throw new InvalidRoutingDataError(key, `sharding key ${JSON.stringify(key)} is invalid: ${zkPathProblem(key)}`);
  }
  return key;
}

/**
 * Why `path` is not a valid ZooKeeper path by Helix's rule, in words, ending with the rule
 * itself (for 400 answers and errors).
 */
export function zkPathProblem(path: string): string {
  const rule = 'use "/" or "/segment(/segment)*" with segments of ASCII letters, digits and _ ? $ & + , : ; = @ # | \' < > . ^ * ( ) % ! - (Helix\'s ZooKeeper path rule)';
  let problem = 'it has a character outside the allowed set';
  if (path.length === 0) problem = 'it is empty';
  else if (!path.startsWith('/')) problem = 'it does not start with "/"';
  else if (path.length > 1 && path.endsWith('/')) problem = 'it ends with "/"';
  else if (path.includes('//')) problem = 'it has an empty segment ("//")';
  return `${problem}; ${rule}`;
}

/** Returns `realm` if it is a valid realm name, else throws InvalidRoutingDataError saying why. */
export function validateRealmName(realm: unknown): string {
  if (typeof realm !== 'string' || realm.length === 0) {
    throw new InvalidRoutingDataError(String(realm), `realm name ${JSON.stringify(realm)} is invalid: it must be a non-empty string`);
  }
  if (realm.length > MAX_REALM_NAME_LENGTH || realm.includes('/') || REFUSED_BY_ZOOKEEPER.test(realm) || realm === '.' || realm === '..') {
    throw new InvalidRoutingDataError(
      realm,
      `realm name ${JSON.stringify(realm)} is invalid: it names the realm's znode, so use 1-${MAX_REALM_NAME_LENGTH} characters without "/" or control characters, not "." or ".." (usually the realm's ZooKeeper connect string without chroot, such as zk-a:2181,zk-b:2181)`,
    );
  }
  return realm;
}

/** The segments of a valid sharding key (`/` has none). */
export function keySegments(key: string): string[] {
  return key === '/' ? [] : key.slice(1).split('/');
}
