/**
 * The wire format between nodes (and the controller) and the protected register: one JSON
 * object per line over a Unix socket. A Unix socket is a file, so it reaches a node inside a
 * network namespace that is cut from the store: the register is never part of a network fault.
 */
import type { Key, RegisterOp, RegisterResult } from '../history.js';

export interface OpRequest {
  readonly id: number;
  readonly op: RegisterOp;
  readonly key: Key;
  readonly node: string;
  readonly pid: number;
  readonly token: number;
  readonly reason?: string;
}

/** Who holds what now (an open begin with no end), for the controller's waits. */
export interface StatusRequest {
  readonly id: number;
  readonly op: 'status';
}

/** The controller saw a process exit: its open terms end with it. */
export interface GoneRequest {
  readonly id: number;
  readonly op: 'gone';
  readonly pid: number;
}

export type Request = OpRequest | StatusRequest | GoneRequest;

export interface Reply {
  readonly id: number;
  readonly result?: RegisterResult;
  /** status: key -> pids holding it. */
  readonly holders?: Record<Key, number[]>;
}
