/**
 * The leader's half of the handoff, shared by bucket assignment and partition placement: for
 * one term, run passes (read, plan, fenced write) whenever something may have changed, until the
 * term ends or the store refuses the term.
 */
import type { Logger } from 'pino';
import type { Backend, Kv, Member } from '../contract/contract.js';
import type { Clock } from '../clock.js';
import { isBatonError } from '../errors.js';
import { Wakeup } from './wakeup.js';
import { anySignal } from '../async.js';

/**
 * Pause before retrying a pass that failed for a transient reason (store unreachable), on the
 * leader's monotonic clock. Short against the grace and interval, long enough not to hammer a
 * store that is down.
 */
export const RETRY_AFTER_ERROR_MS = 1_000;

/**
 * Safety net against a missed membership hint, on the leader's monotonic clock: while the loop
 * waits for its next pass, it reads the live members this often and runs a pass at once when
 * they differ from the ones the last pass planned with. The watch normally wakes the loop within
 * one round trip; this bounds how long a missed hint (a watch being set again, a store whose
 * watch has a gap) keeps a joined node out of the placement, or a vanished one out of its grace,
 * to one period plus one read, whatever the interval. 5 s: a third of the default ttl, the scale
 * on which membership changes are noticed anyway; one members read per 5 s, on the leader only.
 */
export const MEMBERS_RECHECK_MS = 5_000;

/** Why a placement loop ended: the term (or the caller) ended it, or a write was fenced. */
export type PlacementLoopEnd = 'term-ended' | 'fenced';

/**
 * What a pass reports: the vanished nodes in grace, with the ms each has left, and the live
 * members it planned with; `againInMs` asks for the next pass that soon at the latest (a pass
 * that held off while the membership settles).
 */
export interface PassResult {
  readonly inGrace: ReadonlyMap<string, number>;
  readonly members: readonly Member[];
  readonly againInMs?: number;
}

export interface PlacementLoopOptions {
  readonly backend: Backend;
  /** Monotonic clock for the interval, the grace wake-ups and the retry pause. */
  readonly clock: Clock;
  /** The term's signal (and the caller's): the loop ends when it aborts. */
  readonly signal: AbortSignal;
  /** Safety-net period between passes when nothing wakes the loop (monotonic ms). */
  readonly intervalMs: number;
  readonly log: Logger;
  /** What the passes write, for logs ("bucket assignment", "partition placement"). */
  readonly what: string;
  /** KV prefixes whose changes also wake the loop at once (besides the membership). */
  readonly watchKv?: readonly { readonly kv: Kv; readonly prefix: string }[];
  /**
   * One pass; its reads and writes end when `signal` aborts. FencedError ends the loop. `wake`
   * asks for another pass at once (a watch the pass set, e.g. on an item in handoff).
   */
  readonly pass: (signal: AbortSignal, wake: () => void) => Promise<PassResult>;
}

/**
 * Runs passes until `signal` aborts (resolves 'term-ended') or a write is fenced (resolves
 * 'fenced'). Never rejects for store errors: they are logged and retried.
 * 1. Any membership change (and any change under `watchKv`) wakes the loop at once; the first
 *    pass runs at once. A watch the store refuses is asked for again before every pass.
 * 2. The next pass comes when the nearest grace ends, or when the pass asked for it
 *    (`againInMs`), or after the interval, or as soon as a members re-check (every
 *    MEMBERS_RECHECK_MS meanwhile) finds them changed.
 * 3. A version conflict means the stored state changed under the pass: read it again at once.
 *    Any other error waits RETRY_AFTER_ERROR_MS.
 */
export async function runPlacementLoop(options: PlacementLoopOptions): Promise<PlacementLoopEnd> {
  // The loop's own end: the term's, or this call returning (so the watch never outlives it).
  const done = new AbortController();
  const signal = anySignal(options.signal, done.signal);
  try {
    return await loop(options, signal);
  } finally {
    done.abort();
  }
}

async function loop(options: PlacementLoopOptions, signal: AbortSignal): Promise<PlacementLoopEnd> {
  const { clock, intervalMs, log, what } = options;
  const wakeup = new Wakeup(clock);
  // Step 1.
  let unwatched = watchChanges(watchesOf(options), options, wakeup, signal);
  wakeup.fire();
  let delay = intervalMs;
  /** The members the last successful pass planned with (fingerprint); undefined before one. */
  let planned: string | undefined;
  while (!signal.aborted) {
    await untilPassDue(options, wakeup, delay, planned, signal);
    if (signal.aborted) break;
    if (unwatched.length > 0) unwatched = watchChanges(unwatched, options, wakeup, signal);
    try {
      // Step 2.
      const { inGrace, members, againInMs } = await options.pass(signal, () => wakeup.fire());
      planned = fingerprint(members);
      delay = Math.min(intervalMs, ...inGrace.values(), againInMs ?? intervalMs);
    } catch (error) {
      if (signal.aborted) break;
      if (isBatonError(error, 'FENCED')) {
        log.warn({ err: error }, `${what} write fenced: this leader was deposed; stopping`);
        return 'fenced';
      }
      // Step 3.
      if (isBatonError(error, 'VERSION_CONFLICT')) {
        log.info({ err: error }, `${what} changed during the pass; running it again`);
        wakeup.fire();
      } else {
        log.warn({ err: error }, `${what} pass failed; retrying in ${RETRY_AFTER_ERROR_MS} ms`);
        delay = RETRY_AFTER_ERROR_MS;
      }
    }
  }
  return 'term-ended';
}

/**
 * Waits until the next pass is due: on a wake-up (a hint, or a pass asking for another), after
 * `delayMs`, or when a members re-check finds them different from `planned` (step 2). A re-check
 * that fails (store unreachable) lets the pass run and report it.
 */
async function untilPassDue(options: PlacementLoopOptions, wakeup: Wakeup, delayMs: number, planned: string | undefined, signal: AbortSignal): Promise<void> {
  const { clock, backend } = options;
  const due = clock.now() + delayMs;
  for (;;) {
    const left = due - clock.now();
    const recheck = planned !== undefined && left > MEMBERS_RECHECK_MS;
    if (await wakeup.wait(recheck ? MEMBERS_RECHECK_MS : left, signal)) return;
    if (!recheck || signal.aborted) return;
    try {
      if (fingerprint(await backend.members({ signal })) !== planned) {
        options.log.info(`members changed with no hint since the last ${options.what} pass; running one now`);
        return;
      }
    } catch {
      return;
    }
  }
}

/** Members compared by re-checks: who, with which session, advertising what. */
function fingerprint(members: readonly Member[]): string {
  return JSON.stringify(members.map((m) => [m.nodeId, m.sessionId, m.info]));
}

/** A watch that wakes the loop: the membership, or one KV prefix of `watchKv`. */
interface LoopWatch {
  readonly what: string;
  register(listener: () => void, signal: AbortSignal): void;
}

function watchesOf(options: PlacementLoopOptions): LoopWatch[] {
  return [
    { what: 'the members', register: (listener, signal) => options.backend.watchMembers(listener, { signal }) },
    ...(options.watchKv ?? []).map(({ kv, prefix }) => ({ what: prefix, register: (listener: () => void, signal: AbortSignal) => kv.watch(prefix, listener, { signal }) })),
  ];
}

/** Registers `pending` watches; returns those the store refused for now (logged), to be asked again before the next pass. */
function watchChanges(pending: readonly LoopWatch[], options: PlacementLoopOptions, wakeup: Wakeup, signal: AbortSignal): LoopWatch[] {
  if (signal.aborted) return [...pending];
  return pending.filter((watch) => {
    try {
      watch.register(() => wakeup.fire(), signal);
      return false;
    } catch (error) {
      options.log.warn({ err: error }, `cannot watch ${watch.what}; ${options.what} passes run on the interval until it works`);
      return true;
    }
  });
}
