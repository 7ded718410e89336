/**
 * ZooKeeper digest ACLs: the credentials a client authenticates with, and the ACL every znode
 * it creates gets. A znode created with {@link ZkAcl} grants every permission to the digest
 * identity `user:base64(sha1(user:password))` (ZooKeeper's DigestAuthenticationProvider), and
 * read to anyone only when `worldRead` is set. A client without the credentials then gets
 * NO_AUTH when it writes, deletes or creates under baton's znodes (and when it reads them,
 * unless `worldRead`).
 *
 * The password is a secret: it lives only in a {@link ZkDigest}, whose printed, logged and
 * JSON forms show the user and `***`; it leaves the object only as the auth packet's bytes.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError } from '../errors.js';
import type { RawAcl, RawClient } from './zk-library.js';
import { zookeeperLibrary } from './zk-library.js';

const USER = /^[^:\s]{1,256}$/;

/** `user:password` credentials for ZooKeeper's `digest` scheme. */
export class ZkDigest {
  readonly user: string;
  readonly #password: string;

  private constructor(user: string, password: string) {
    this.user = user;
    this.#password = password;
  }

  /**
   * Reads `user:password` (one line; a trailing newline is dropped). `where` names the source
   * for messages (`the file /run/secrets/zk`, `environment variable ZK_DIGEST`); the text itself
   * is never echoed. Throws ConfigError(`key`, ...).
   */
  static parse(text: string, where: string, key = 'store'): ZkDigest {
    const line = text.replace(/\r?\n$/, '');
    const colon = line.indexOf(':');
    const user = colon < 0 ? '' : line.slice(0, colon);
    const password = colon < 0 ? '' : line.slice(colon + 1);
    if (!USER.test(user) || password === '' || /[\r\n]/.test(password)) {
      throw new ConfigError(key, `${where} must hold ZooKeeper digest credentials as "user:password" on one line (a user without ":" or spaces, a non-empty password)`);
    }
    return new ZkDigest(user, password);
  }

  /** The payload of the `digest` auth packet. */
  authData(): Buffer {
    return Buffer.from(`${this.user}:${this.#password}`, 'utf8');
  }

  /** The ACL id ZooKeeper derives from the credentials: `user:base64(sha1(user:password))`. */
  aclId(): string {
    return `${this.user}:${createHash('sha1').update(`${this.user}:${this.#password}`, 'utf8').digest('base64')}`;
  }

  toString(): string {
    return `${this.user}:***`;
  }
  toJSON(): { user: string; password: string } {
    return { user: this.user, password: '***' };
  }
  [inspect.custom](): string {
    return `ZkDigest { user: '${this.user}', password: '***' }`;
  }
}

/** Digest ACLs for every znode a client creates. */
export interface ZkAcl {
  readonly digest: ZkDigest;
  /**
   * Also let anyone read the znodes (default false). baton's own znodes hold member addresses
   * and application KV documents, so they stay private unless the operator opens them (for
   * example to browse them with zkCli); the directory's routing data is public anyway (its HTTP
   * reads are open), so the directory sets it.
   */
  readonly worldRead?: boolean;
}

/** ZooKeeper permission bits (from the ZooKeeper protocol). */
export const PERMS = Object.freeze({ read: 1, all: 31 });

/** One ACL entry as the wire needs it: permissions and `{ scheme, id }`. */
export interface AclEntry {
  readonly perms: number;
  /** `digest`, `world`, `ip`, `sasl`, ... */
  readonly scheme: string;
  readonly id: string;
}

/** The entries a created znode gets under `acl`. */
export function aclEntries(acl: ZkAcl): AclEntry[] {
  const entries: AclEntry[] = [{ perms: PERMS.all, scheme: 'digest', id: acl.digest.aclId() }];
  if (acl.worldRead === true) entries.push({ perms: PERMS.read, scheme: 'world', id: 'anyone' });
  return entries;
}

/** The library's ACL list for a created znode: `acl`'s entries, or open to anyone without one. */
export function createAcls(acl: ZkAcl | undefined): readonly RawAcl[] {
  if (acl === undefined) return zookeeperLibrary().ACL.OPEN_ACL_UNSAFE;
  return toRawAcls(aclEntries(acl));
}

/** Entries as the library's ACL objects (what create, multi and setACL send). */
export function toRawAcls(entries: readonly AclEntry[]): RawAcl[] {
  return entries.map((e) => new (zookeeperLibrary().ACL)(e.perms, new (zookeeperLibrary().Id)(e.scheme, e.id)));
}

/** The library's ACL objects (a getACL answer) as entries. */
export function fromRawAcls(acls: readonly RawAcl[]): AclEntry[] {
  return acls.map((a) => ({ perms: a.permission, scheme: a.id.scheme, id: a.id.id }));
}

/** True when both lists grant the same permissions to the same ids, in any order. */
export function sameAcl(a: readonly AclEntry[], b: readonly AclEntry[]): boolean {
  const key = (e: AclEntry) => `${e.scheme}:${e.id}:${e.perms}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

/**
 * Gives `raw` (not yet connected) the digest credentials. The library sends them on every
 * (re)connect, but it queues them AFTER the requests made while disconnected, so those reach
 * the new connection unauthenticated and fail with NO_AUTH (a create, write or delete made
 * during a blip). The Java client sends auth first; we do too: on each new socket, the
 * requests waiting from before are moved behind what the library queued for the handshake.
 */
export function authenticate(raw: RawClient, digest: ZkDigest): void {
  raw.addAuthInfo('digest', digest.authData());
  const manager = raw.connectionManager;
  const connected = manager.onSocketConnected.bind(manager);
  // The library binds this method afresh on each connect, so the instance property is used.
  manager.onSocketConnected = () => {
    const waiting = manager.packetQueue.queue.splice(0);
    connected(); // queues auth (and set-watches) while CONNECTING: nothing is sent yet
    manager.packetQueue.queue.push(...waiting);
  };
}
