/**
 * The requests ZkClient sends, encoded here and handed to the library's
 * `connectionManager.queue`, which sends them in order with its own calls and matches their
 * replies. It does not decode them: zk-reply-tap.ts hands each request its reply's bytes,
 * which zk-replies.ts reads.
 *
 * Why not the library's own calls: each builds its request from generic records that look up
 * their field types by regular expression, copies the data, and runs a retry loop of the
 * `async` package around a single try (retries are 0 here). Placing 10,000 buckets on
 * ZooKeeper makes 30,000-40,000 requests, and that was most of what a node allocated while
 * placing (issue 12). The bytes are the same (test/unit/zk-client/zk-requests.test.ts compares
 * them with the library's), and so are the path checks made before sending.
 *
 * A request is its own header and payload, the shape `queue` reads: it sets `xid` when it
 * sends, hands the chroot to `setChrootPath`, and reads `type` to decode the reply. `type` is
 * DELETE for every request here, whose reply the library reads without a payload (frames are
 * length-prefixed, so the payload is skipped whole); the op code on the wire is the real one.
 */
import { InvalidArgumentError } from '../errors.js';
import { JuteWriter, bufferSize, ustringSize } from './jute-writer.js';
import type { RawAcl, RawRequest } from './zk-library.js';
import { OP } from './zk-library.js';

/** ZooKeeper wire op codes (from the ZooKeeper protocol) of the requests made here. */
const OP_CODE = Object.freeze({ ...OP, exists: 3, getData: 4, sync: 9, getChildren2: 12, multi: 14 });

/** The largest znode data the library accepts (ZooKeeper's default `jute.maxbuffer`, 1 MiB). */
const DATA_SIZE_LIMIT = 1_048_576;

/** A request body: its size in bytes, then its fields (paths under `chroot`). */
interface Body {
  size(chroot: string): number;
  write(out: JuteWriter, chroot: string): void;
}

/** One request (see the module comment). */
export class ZkRequest implements RawRequest {
  /** Set by the library when it sends the request. */
  xid = 0;
  /** The op code the library reads the reply by (see the module comment). */
  readonly type = OP_CODE.delete;
  /** The reply's payload, set by zk-reply-tap.ts while the library reads the reply; a view of the socket's bytes. */
  reply: Buffer | undefined = undefined;
  readonly #opCode: number;
  readonly #body: Body;
  #chroot = '';

  constructor(opCode: number, body: Body) {
    this.#opCode = opCode;
    this.#body = body;
  }

  /** The chroot the library gave, '' for none: paths in the reply are under it. */
  get chroot(): string {
    return this.#chroot;
  }

  /** The reply's payload, once: the view of the socket's bytes is not kept. Throws when none came (a bug). */
  takeReply(): Buffer {
    const reply = this.reply;
    if (reply === undefined) throw new RangeError(`no reply bytes for request ${this.xid} (op ${this.#opCode})`);
    this.reply = undefined;
    return reply;
  }

  get header(): this {
    return this;
  }
  get payload(): this {
    return this;
  }

  setChrootPath(chroot: string): void {
    this.#chroot = chroot;
  }

  toBuffer(): Buffer {
    const out = new JuteWriter(8 + this.#body.size(this.#chroot));
    out.int(this.xid); // RequestHeader.xid
    out.int(this.#opCode); // RequestHeader.type
    this.#body.write(out, this.#chroot);
    return out.frame();
  }
}

/** `path` on the server: under the chroot, the root being the chroot itself. */
function onServer(path: string, chroot: string): string {
  if (chroot === '') return path;
  return path === '/' ? chroot : chroot + path;
}

/** path (ustring), watch (boolean): ExistsRequest, GetDataRequest, GetChildren2Request. */
class PathWatchBody implements Body {
  constructor(
    readonly path: string,
    readonly watch: boolean,
  ) {}
  size(chroot: string): number {
    return ustringSize(onServer(this.path, chroot)) + 1;
  }
  write(out: JuteWriter, chroot: string): void {
    out.ustring(onServer(this.path, chroot));
    out.boolean(this.watch);
  }
}

/** path (ustring), version (int): DeleteRequest, CheckVersionRequest. */
class PathVersionBody implements Body {
  constructor(
    readonly path: string,
    readonly version: number,
  ) {}
  size(chroot: string): number {
    return ustringSize(onServer(this.path, chroot)) + 4;
  }
  write(out: JuteWriter, chroot: string): void {
    out.ustring(onServer(this.path, chroot));
    out.int(this.version);
  }
}

/** path (ustring), data (buffer), version (int): SetDataRequest. */
class SetDataBody implements Body {
  constructor(
    readonly path: string,
    readonly data: Buffer,
    readonly version: number,
  ) {}
  size(chroot: string): number {
    return ustringSize(onServer(this.path, chroot)) + bufferSize(this.data) + 4;
  }
  write(out: JuteWriter, chroot: string): void {
    out.ustring(onServer(this.path, chroot));
    out.buffer(this.data);
    out.int(this.version);
  }
}

/** path (ustring), data (buffer), acl (vector of perms int, scheme ustring, id ustring), flags (int): CreateRequest. */
class CreateBody implements Body {
  constructor(
    readonly path: string,
    readonly data: Buffer | null,
    readonly acls: readonly RawAcl[],
    readonly flags: number,
  ) {}
  size(chroot: string): number {
    let size = ustringSize(onServer(this.path, chroot)) + bufferSize(this.data) + 4 + 4;
    for (const acl of this.acls) size += 4 + ustringSize(acl.id.scheme) + ustringSize(acl.id.id);
    return size;
  }
  write(out: JuteWriter, chroot: string): void {
    out.ustring(onServer(this.path, chroot));
    out.buffer(this.data);
    out.int(this.acls.length);
    for (const acl of this.acls) {
      out.int(acl.permission);
      out.ustring(acl.id.scheme);
      out.ustring(acl.id.id);
    }
    out.int(this.flags);
  }
}

/** path (ustring): SyncRequest. */
class PathBody implements Body {
  constructor(readonly path: string) {}
  size(chroot: string): number {
    return ustringSize(onServer(this.path, chroot));
  }
  write(out: JuteWriter, chroot: string): void {
    out.ustring(onServer(this.path, chroot));
  }
}

/** One op of a multi: its op code and its body. */
export interface MultiOp {
  readonly opCode: number;
  readonly body: Body;
}

/** Per op a MultiHeader (type int, done boolean, err int) then its body; a done header ends the list. */
class MultiBody implements Body {
  constructor(readonly ops: readonly MultiOp[]) {}
  size(chroot: string): number {
    let size = 9;
    for (const op of this.ops) size += 9 + op.body.size(chroot);
    return size;
  }
  write(out: JuteWriter, chroot: string): void {
    for (const op of this.ops) {
      writeMultiHeader(out, op.opCode, false);
      op.body.write(out, chroot);
    }
    writeMultiHeader(out, -1, true);
  }
}

function writeMultiHeader(out: JuteWriter, type: number, done: boolean): void {
  out.int(type);
  out.boolean(done);
  out.int(-1); // err: unused in a request
}

/**
 * Throws InvalidArgumentError unless `path` is a znode path the library accepts: starts with
 * '/', and but for the root does not end with '/', has no empty segment and no '.' or '..' one.
 */
export function checkPath(path: string): void {
  const fault =
    typeof path !== 'string' || path === ''
      ? 'is empty'
      : path[0] !== '/'
        ? 'does not start with /'
        : path.length === 1
          ? undefined
          : path.endsWith('/')
            ? 'ends with /'
            : path.includes('//')
              ? 'has an empty segment'
              : /\/\.\.?(\/|$)/.test(path)
                ? 'has a relative segment (. or ..)'
                : undefined;
  if (fault !== undefined) throw new InvalidArgumentError(`znode path ${JSON.stringify(path)} ${fault}`);
}

function checkData(data: Buffer | null): void {
  if (data !== null && data.length > DATA_SIZE_LIMIT) throw new InvalidArgumentError(`znode data of ${data.length} bytes is over the limit of ${DATA_SIZE_LIMIT}`);
}

export function createRequest(path: string, data: Buffer | null, acls: readonly RawAcl[], flags: number): ZkRequest {
  checkPath(path);
  checkData(data);
  if (acls.length === 0) throw new InvalidArgumentError('a znode needs at least one ACL entry');
  return new ZkRequest(OP_CODE.create, createOp(path, data, acls, flags).body);
}

export function deleteRequest(path: string, version: number): ZkRequest {
  checkPath(path);
  return new ZkRequest(OP_CODE.delete, deleteOp(path, version).body);
}

export function setDataRequest(path: string, data: Buffer, version: number): ZkRequest {
  checkPath(path);
  checkData(data);
  return new ZkRequest(OP_CODE.setData, setDataOp(path, data, version).body);
}

export function existsRequest(path: string, watch: boolean): ZkRequest {
  checkPath(path);
  return new ZkRequest(OP_CODE.exists, new PathWatchBody(path, watch));
}

export function getDataRequest(path: string, watch: boolean): ZkRequest {
  checkPath(path);
  return new ZkRequest(OP_CODE.getData, new PathWatchBody(path, watch));
}

/** GetChildren2: the children and the parent's stat (the library's getChildren). */
export function getChildrenRequest(path: string, watch: boolean): ZkRequest {
  checkPath(path);
  return new ZkRequest(OP_CODE.getChildren2, new PathWatchBody(path, watch));
}

/** The ops of a multi are sent unchecked, as the library's `transaction().ops` were: the server judges them. */
export function multiRequest(ops: readonly MultiOp[]): ZkRequest {
  return new ZkRequest(OP_CODE.multi, new MultiBody(ops));
}

export function createOp(path: string, data: Buffer | null, acls: readonly RawAcl[], flags: number): MultiOp {
  return { opCode: OP_CODE.create, body: new CreateBody(path, data, acls, flags) };
}

export function deleteOp(path: string, version: number): MultiOp {
  return { opCode: OP_CODE.delete, body: new PathVersionBody(path, version) };
}

export function setDataOp(path: string, data: Buffer, version: number): MultiOp {
  return { opCode: OP_CODE.setData, body: new SetDataBody(path, data, version) };
}

export function checkOp(path: string, version: number): MultiOp {
  return { opCode: OP_CODE.check, body: new PathVersionBody(path, version) };
}

/**
 * A ZooKeeper `sync` of `path`. The library knows no SYNC (it would drop the socket on its
 * reply); as every request here, its reply is read as a DELETE's (see the module comment).
 */
export function syncRequest(path: string): ZkRequest {
  return new ZkRequest(OP_CODE.sync, new PathBody(path));
}
