import { BatonError, StoreUnavailableError } from '../errors.js';

/**
 * ZooKeeper error names (the server's `KeeperException.Code`s, plus the client-side ones).
 * Numbers are the wire codes.
 */
const CODE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [-1]: 'SYSTEM_ERROR',
  [-2]: 'RUNTIME_INCONSISTENCY',
  [-3]: 'DATA_INCONSISTENCY',
  [-4]: 'CONNECTION_LOSS',
  [-5]: 'MARSHALLING_ERROR',
  [-6]: 'UNIMPLEMENTED',
  [-7]: 'OPERATION_TIMEOUT',
  [-8]: 'BAD_ARGUMENTS',
  [-13]: 'NEW_CONFIG_NO_QUORUM',
  [-14]: 'RECONFIG_IN_PROGRESS',
  [-100]: 'API_ERROR',
  [-101]: 'NO_NODE',
  [-102]: 'NO_AUTH',
  [-103]: 'BAD_VERSION',
  [-108]: 'NO_CHILDREN_FOR_EPHEMERALS',
  [-110]: 'NODE_EXISTS',
  [-111]: 'NOT_EMPTY',
  [-112]: 'SESSION_EXPIRED',
  [-113]: 'INVALID_CALLBACK',
  [-114]: 'INVALID_ACL',
  [-115]: 'AUTH_FAILED',
  [-118]: 'SESSION_MOVED',
  [-119]: 'NOT_READ_ONLY',
  [-120]: 'EPHEMERAL_ON_LOCAL_SESSION',
  [-121]: 'NO_WATCHER',
  [-122]: 'REQUEST_TIMEOUT',
  [-124]: 'QUOTA_EXCEEDED',
  [-125]: 'THROTTLED_OP',
});

export type ZkCode =
  | 'NO_NODE'
  | 'NODE_EXISTS'
  | 'BAD_VERSION'
  | 'NOT_EMPTY'
  | 'CONNECTION_LOSS'
  | 'SESSION_EXPIRED'
  | 'OPERATION_TIMEOUT'
  | 'NO_CHILDREN_FOR_EPHEMERALS'
  | (string & {});

/** The ZooKeeper name of a wire error code, `UNKNOWN(<n>)` for codes this table lacks. */
export function zkCodeName(code: number): ZkCode {
  return CODE_NAMES[code] ?? `UNKNOWN(${code})`;
}

/**
 * A ZooKeeper call failed. `zkCode` names the ZooKeeper error (NO_NODE, NODE_EXISTS,
 * BAD_VERSION, CONNECTION_LOSS, SESSION_EXPIRED, ...); `path` is the znode concerned; for a
 * failed multi, `opIndex` is the index of the op that failed.
 */
export class ZooKeeperError extends BatonError {
  readonly zkCode: ZkCode;
  readonly path: string | undefined;
  readonly opIndex: number | undefined;

  constructor(zkCode: ZkCode, message: string, details: { path?: string; opIndex?: number; cause?: unknown } = {}) {
    super('ZOOKEEPER', message, { cause: details.cause });
    this.zkCode = zkCode;
    this.path = details.path;
    this.opIndex = details.opIndex;
  }
}

/** True when `error` is a ZooKeeperError with one of `codes`. */
export function isZkError(error: unknown, ...codes: ZkCode[]): error is ZooKeeperError {
  return error instanceof ZooKeeperError && (codes.length === 0 || codes.includes(error.zkCode));
}

/**
 * Connection-level failures (the outcome of the call is unknown, the store may be unreachable)
 * become StoreUnavailableError, as the backend contract asks; other errors pass unchanged.
 */
export function toContractError(error: unknown): unknown {
  if (isZkError(error, 'CONNECTION_LOSS', 'OPERATION_TIMEOUT', 'SESSION_EXPIRED', 'REQUEST_TIMEOUT', 'THROTTLED_OP')) {
    return new StoreUnavailableError(`ZooKeeper is unreachable (${error.zkCode}): ${error.message}`, { cause: error });
  }
  return error;
}

/** The error of a call on a session that expired (or of the wait for its connection). */
export function sessionExpired(path: string): ZooKeeperError {
  return new ZooKeeperError('SESSION_EXPIRED', 'the ZooKeeper session expired; open a new client', { path });
}
