/**
 * The histories a chaos run leaves in its directory, read by the checker (checker/). Every
 * timestamp is CLOCK_MONOTONIC in ns (`process.hrtime.bigint()` as a decimal string), taken by
 * the register or the controller, two unfaked processes on one machine, so the two files share
 * one clock (a node under libfaketime never stamps anything).
 *
 * - `register.jsonl`: what the protected register saw, in the order it saw it.
 * - `controller.jsonl`: what the controller did to processes and the store, and when.
 * - `run.json`: the run's settings: backend, fault, keys, timing and bounds.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A key is a role or an item: `leader`, `bucket/<id>`, `partition/<n>`. */
export type Key = string;

/** What a node asks the register; `begin` is its first fenced write for a term. */
export type RegisterOp = 'begin' | 'write' | 'end';

/**
 * How the register answered: `accepted`; `stale` (a token lower than the highest seen: refused,
 * as a fencing store must); `reused` (the highest token, but from another process: refused, and
 * a violation, since tokens never repeat); `noted` (an end, which writes nothing).
 */
export type RegisterResult = 'accepted' | 'stale' | 'reused' | 'noted';

export interface RegisterEvent {
  readonly t: string;
  readonly op: RegisterOp;
  readonly key: Key;
  readonly node: string;
  readonly pid: number;
  readonly token: number;
  readonly result: RegisterResult;
  /** Why an end came (the term's abort reason code), when known. */
  readonly reason?: string;
}

export type ControllerEventKind =
  | 'spawn' // a node process started (pid)
  | 'exit' // the controller saw it exit (code or signal in detail)
  | 'kill' // SIGKILL sent
  | 'leave' // SIGTERM sent (graceful leave)
  | 'freeze' // SIGSTOP sent
  | 'thaw' // SIGCONT sent
  | 'fault' // a fault began (detail says which, on what)
  | 'heal' // that fault ended; `fromHeal` faults measure unavailability from here
  | 'settled' // every key held once: the availability timeline starts
  | 'quiescent' // faults over and settled (or timed out): ownership is judged here
  | 'end'; // the run stopped its nodes

export interface ControllerEvent {
  readonly t: string;
  readonly ev: ControllerEventKind;
  readonly node?: string;
  readonly pid?: number;
  readonly detail?: string;
  /**
   * On `fault`/`heal`: the store, or a node's link to it, is degraded but not gone for the whole
   * episode (store down, rows locked, quorum lost, a slow or lossy link that keeps its session
   * alive): no bound can run before it ends, so a stretch without a holder that overlaps it is
   * measured from the heal.
   */
  readonly fromHeal?: boolean;
  /** On `fault`: nothing crashes (joins, graceful leaves): the graceful bound applies. */
  readonly graceful?: boolean;
}

/** Longest allowed time without a holder, per kind of key, ms (see timing.ts for the derivation). */
export interface Bounds {
  readonly leader: number;
  readonly bucket: number;
  readonly partition: number;
  /** After a graceful release (the holder stopped and said so): one round trip and a poll. */
  readonly graceful: number;
}

export interface RunInfo {
  readonly backend: string;
  readonly fault: string;
  readonly seed: number;
  readonly nodes: number;
  readonly keys: readonly Key[];
  readonly bounds: Bounds;
  /** Faults that break the rate bound on purpose: an overlap there is reported, not a failure. */
  readonly expectViolations?: boolean;
}

export const REGISTER_FILE = 'register.jsonl';
export const CONTROLLER_FILE = 'controller.jsonl';
export const RUN_FILE = 'run.json';

export function now(): string {
  return process.hrtime.bigint().toString();
}

/** Appends one controller event, synchronously (it must survive a crash of the controller). */
export function recordController(dir: string, event: Omit<ControllerEvent, 't'>): void {
  appendFileSync(path.join(dir, CONTROLLER_FILE), `${JSON.stringify({ t: now(), ...event })}\n`);
}

export function writeRunInfo(dir: string, info: RunInfo): void {
  writeFileSync(path.join(dir, RUN_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

export interface History {
  readonly dir: string;
  readonly info: RunInfo;
  readonly register: readonly RegisterEvent[];
  readonly controller: readonly ControllerEvent[];
}

function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new Error(`${file}:${i + 1}: not a JSON line: ${line.slice(0, 80)}`);
      }
    });
}

/** Reads one run's directory; a clear error when it is not one. */
export function readHistory(dir: string): History {
  const runFile = path.join(dir, RUN_FILE);
  if (!existsSync(runFile)) throw new Error(`${dir} is not a chaos run directory (no ${RUN_FILE})`);
  return {
    dir,
    info: JSON.parse(readFileSync(runFile, 'utf8')) as RunInfo,
    register: readLines<RegisterEvent>(path.join(dir, REGISTER_FILE)),
    controller: readLines<ControllerEvent>(path.join(dir, CONTROLLER_FILE)),
  };
}
