/**
 * The rules for one sharding key and one realm name, shared by the federated client and the
 * directory service (so both refuse the same input with the same message).
 *
 * - A sharding key is `/` or `(/segment)+`: absolute, no trailing slash, no empty segment, no
 *   `.` or `..` segment, no character that ZooKeeper refuses in a path.
 * - A realm name is what the federated client connects to (a ZooKeeper connect string such as
 *   `zk-a:2181,zk-b:2181`) and the name of its znode in the directory's store, so it is one
 *   path segment: letters, digits and `. _ - : , @ [ ]`.
 */
import { InvalidRoutingDataError } from '../errors.js';

/** The longest sharding key accepted, in characters (a ZooKeeper path, kept well below jute's 1 MB). */
export const MAX_SHARDING_KEY_LENGTH = 1024;
/** The longest realm name accepted, in characters. */
export const MAX_REALM_NAME_LENGTH = 255;

const REALM_NAME = /^[A-Za-z0-9._:,@[\]-]+$/;
// Characters ZooKeeper refuses in a path (PathUtils.validatePath): NUL, controls, surrogates,
// private use and the specials block.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_PATH = /[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/;

/** Returns `key` if it is a valid sharding key, else throws InvalidRoutingDataError saying why. */
export function validateShardingKey(key: unknown): string {
  if (typeof key !== 'string') {
    throw new InvalidRoutingDataError(String(key), `sharding key ${JSON.stringify(key)} is not a string`);
  }
  const problem = shardingKeyProblem(key);
  if (problem !== undefined) {
    throw new InvalidRoutingDataError(key, `sharding key "${key}" is invalid: ${problem}; use "/" or "/segment(/segment)*"`);
  }
  return key;
}

function shardingKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'it is empty';
  if (key.length > MAX_SHARDING_KEY_LENGTH) return `it is longer than ${MAX_SHARDING_KEY_LENGTH} characters`;
  if (!key.startsWith('/')) return 'it does not start with "/"';
  if (key === '/') return undefined;
  if (key.endsWith('/')) return 'it ends with "/"';
  if (FORBIDDEN_IN_PATH.test(key)) return 'it contains a character ZooKeeper refuses in a path';
  for (const segment of key.slice(1).split('/')) {
    if (segment === '') return 'it has an empty segment ("//")';
    if (segment === '.' || segment === '..') return `it has a "${segment}" segment`;
  }
  return undefined;
}

/** Returns `realm` if it is a valid realm name, else throws InvalidRoutingDataError saying why. */
export function validateRealmName(realm: unknown): string {
  if (typeof realm !== 'string' || realm.length === 0) {
    throw new InvalidRoutingDataError(String(realm), `realm name ${JSON.stringify(realm)} is invalid: it must be a non-empty string`);
  }
  if (realm.length > MAX_REALM_NAME_LENGTH || !REALM_NAME.test(realm) || realm === '.' || realm === '..') {
    throw new InvalidRoutingDataError(
      realm,
      `realm name "${realm}" is invalid: use 1-${MAX_REALM_NAME_LENGTH} letters, digits, ".", "_", "-", ":", ",", "@", "[" or "]" (a ZooKeeper connect string without chroot)`,
    );
  }
  return realm;
}

/** The segments of a valid sharding key (`/` has none). */
export function keySegments(key: string): string[] {
  return key === '/' ? [] : key.slice(1).split('/');
}
