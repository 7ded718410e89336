/**
 * baton's error hierarchy. Every error has a stable `code` (never match on message text) and
 * may carry the `cause` that produced it. Messages say what was wrong, with which value, and
 * what to do about it.
 */
/** The stable code of a {@link BatonError}: one per kind of failure (the classes below). */
export type BatonErrorCode =
  | 'CONFIG'
  | 'CLOSED'
  | 'ABORTED'
  | 'STATE'
  | 'SESSION_LOST'
  | 'NOT_LEADER'
  | 'FENCED'
  | 'VERSION_CONFLICT'
  | 'NODE_ID_IN_USE'
  | 'CORRUPT_DOCUMENT'
  | 'INVALID_ARGUMENT'
  | 'STORE_UNAVAILABLE'
  | 'REFUSED'
  | 'PORT_IN_USE'
  | 'MISSING_PACKAGE'
  | 'UNSUPPORTED'
  | 'ROUTING'
  | 'NOT_FOUND'
  | 'ZOOKEEPER';

export class BatonError extends Error {
  readonly code: BatonErrorCode;

  constructor(code: BatonErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A configuration value is invalid; `key` names it (for example `election.ttlMs`). */
export class ConfigError extends BatonError {
  readonly key: string;
  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG', `${key}: ${message}`, options);
    this.key = key;
  }
}

/** The object was used after `close()`. */
export class ClosedError extends BatonError {
  constructor(what: string) {
    super('CLOSED', `${what} is closed; create a new one`);
  }
}

/** A wait was cancelled through its `signal`. The abort reason is the cause. */
export class AbortedError extends BatonError {
  constructor(what: string, cause?: unknown) {
    super('ABORTED', `${what} was aborted`, { cause });
  }
}

/** A call that the object's lifecycle state does not allow (start twice, ...). */
export class StateError extends BatonError {
  constructor(message: string) {
    super('STATE', message);
  }
}

/** This process's session is lost or may be lost; it must stop acting for the cluster. */
export class SessionLostError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SESSION_LOST', message, options);
  }
}

/** A fenced write was refused: the writer no longer holds the election term it named. */
export class FencedError extends BatonError {
  constructor(election: string, term: number) {
    super('FENCED', `write refused: this writer no longer holds term ${term} of election "${election}"`);
  }
}

/** A conditional write found another version than it expected. */
export class VersionConflictError extends BatonError {
  constructor(key: string, expected: number | null, actual: number | null) {
    super(
      'VERSION_CONFLICT',
      `key "${key}": expected version ${expected ?? '(absent)'} but found ${actual ?? '(absent)'}; read it again and retry`,
    );
  }
}

/** A stored document could not be parsed or failed validation; `key` says where it is. */
export class CorruptDocumentError extends BatonError {
  readonly key: string;
  constructor(key: string, problem: string, options?: { cause?: unknown }) {
    super('CORRUPT_DOCUMENT', `stored document "${key}" is corrupt: ${problem}`, options);
    this.key = key;
  }
}

/** The default report of a skipped corrupt document: a process warning of type `BatonCorruptDocument`. */
export function warnCorruptDocument(error: CorruptDocumentError): void {
  process.emitWarning(error.message, 'BatonCorruptDocument');
}

/** An argument to a call is invalid (a key with bad characters, a negative count, ...). */
export class InvalidArgumentError extends BatonError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** The store (database, ZooKeeper) cannot be reached or refused the operation transiently. */
export class StoreUnavailableError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

/**
 * A server (the store, the directory service) answered and refused for a reason that waiting
 * does not cure: the database does not exist, access denied, a wrong token. Reported at once
 * with the server's reason, never retried.
 */
export class RefusedError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REFUSED', message, options);
  }
}

/** An optional npm package that this use needs (a store's driver) is not installed. */
export class MissingPackageError extends BatonError {
  readonly packageName: string;
  constructor(packageName: string, usedFor: string, options?: { cause?: unknown }) {
    super('MISSING_PACKAGE', `${usedFor} need${usedFor.endsWith('s') ? '' : 's'} the npm package "${packageName}", which is not installed: run "npm install ${packageName}" in your project`, options);
    this.packageName = packageName;
  }
}

/** A port this process must listen on is taken by another process. */
export class PortInUseError extends BatonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PORT_IN_USE', message, options);
  }
}

/** The operation is not supported here (ephemeral nodes through a federated client, ...). */
export class UnsupportedError extends BatonError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
  }
}

/**
 * Whether `error` is a BatonError, and with `code`, one with that code. `code` is checked
 * against the union, so a misspelt or retired code does not compile; the result narrows `code`.
 *
 * @example
 * if (isBatonError(error, 'FENCED')) stopActing(); // error.code is 'FENCED' here
 */
export function isBatonError<C extends BatonErrorCode = BatonErrorCode>(error: unknown, code?: C): error is BatonError & { readonly code: C } {
  return error instanceof BatonError && (code === undefined || error.code === code);
}

/** What a store can tell about the session that holds a node id (see NodeIdInUseError). */
export interface NodeIdHolder {
  /** The holder's member info (host, ports, ...), when readable. */
  readonly info?: Readonly<Record<string, unknown>>;
  /** How long ago the holder last renewed, ms on the store's clock (SQL stores). */
  readonly renewedMsAgo?: number;
  /** How long until the holder's session expires unless renewed, ms on the store's clock (SQL stores). */
  readonly expiresInMs?: number;
}

/**
 * Another session, not yet expired, holds this node id. `holder` says what the store knows
 * about it, so a caller can tell another live node from its own previous process's session
 * that is still expiring after a crash.
 */
export class NodeIdInUseError extends BatonError {
  readonly nodeId: string;
  readonly holder: NodeIdHolder;
  constructor(nodeId: string, holder: NodeIdHolder = {}) {
    super('NODE_ID_IN_USE', `node id "${nodeId}" is already used by a session that has not expired; pick another nodeId or stop the other node`);
    this.nodeId = nodeId;
    this.holder = holder;
  }
}

/** Why an election term ended (see {@link LeadershipEndedError}). */
/**
 * Why a term ended: `resigned` (given up on purpose), `renew-deadline` (not renewed within the
 * local deadline), `taken-over` (changed in the store behind the holder's back),
 * `connection-lost` (the store connection dropped: the holder cannot prove it still holds the
 * term, so it stops at once, as Curator's default does), `session-lost`, `closed`.
 */
export type LeadershipEndReason = 'resigned' | 'renew-deadline' | 'taken-over' | 'connection-lost' | 'session-lost' | 'closed';

/**
 * An election term ended: the abort reason of `Leadership.signal`. `reason` says why; the holder
 * must stop acting for the term whatever it is.
 */
export class LeadershipEndedError extends BatonError {
  readonly election: string;
  readonly term: number;
  readonly reason: LeadershipEndReason;
  constructor(election: string, term: number, reason: LeadershipEndReason, options?: { cause?: unknown }) {
    super('NOT_LEADER', `term ${term} of election "${election}" ended: ${reason}`, options);
    this.election = election;
    this.term = term;
    this.reason = reason;
  }
}

/**
 * Makes an error without capturing its stack, for an error that is expected control flow on a
 * hot path, made once per item (a term resigned, an item released: 33,333 of each when a node
 * leaves at 100,000 buckets over 3 nodes). Such an error is an abort reason made in baton's own
 * listeners, so its stack would only ever show baton's frames, never a caller's, and capturing
 * them was ~0.5 s of the leaving node's CPU (issue 12). A real fault keeps its stack: make it
 * with `new`. Its `cause`, if any, keeps its own stack.
 *
 * @example
 * signal.abort(withoutStack(() => new StateError(`bucket ${item} released: moved`)));
 */
export function withoutStack<E extends Error>(make: () => E): E {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * The abort reason of a term that ended for `reason`: without a stack when the term was given
 * up gracefully (`resigned`, `closed`: expected, once per item of a close), with one for every
 * other end (the session or the lease was lost: a fault to trace).
 */
export function leadershipEnded(election: string, term: number, reason: LeadershipEndReason, options?: { cause?: unknown }): LeadershipEndedError {
  const make = () => new LeadershipEndedError(election, term, reason, options);
  return reason === 'resigned' || reason === 'closed' ? withoutStack(make) : make();
}

/**
 * A ZooKeeper path could not be routed to a realm: no sharding key is a prefix of it, or it is
 * a proper prefix of a sharding key. `path` names it; `reason` says which case.
 */
export class RoutingError extends BatonError {
  readonly path: string;
  readonly reason: 'NO_KEY' | 'PREFIX_OF_KEY';
  constructor(path: string, reason: 'NO_KEY' | 'PREFIX_OF_KEY', message: string, options?: { cause?: unknown }) {
    super('ROUTING', message, options);
    this.path = path;
    this.reason = reason;
  }
}

/**
 * Routing data (realm -> sharding keys) broke a rule. `key` is the offending key or realm name;
 * `conflictingKey`, when set, is the key it collides with (a duplicate or a nested key).
 */
export class InvalidRoutingDataError extends InvalidArgumentError {
  readonly key: string;
  readonly conflictingKey: string | undefined;
  constructor(key: string, message: string, conflictingKey?: string) {
    super(message);
    this.key = key;
    this.conflictingKey = conflictingKey;
  }
}

/** A named thing (a namespace, a realm, a sharding key) does not exist; `what` names it. */
export class NotFoundError extends BatonError {
  readonly what: string;
  constructor(what: string, message: string) {
    super('NOT_FOUND', message);
    this.what = what;
  }
}
