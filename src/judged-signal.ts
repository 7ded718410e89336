/**
 * Signals whose `aborted` judges a deadline when read, also after they were handed out.
 *
 * A holder's signal (a term's, an item's, a session's `lost`) is aborted by a timer once its
 * deadline on the monotonic clock passes. After a pause (SIGSTOP, VM freeze, a long GC) the
 * resumed process runs synchronous code before any timer, so a plain signal read then still says
 * "not aborted" although the term is over (docs/safety.md rule 4). The getters that hand a signal out
 * judge the deadline first, but a caller who keeps the signal, as in
 * `on('acquired', (bucket, { token, signal }) => work(signal))`, reads it later, past those
 * getters: the chaos suite saw a thawed holder write with its old token 22 ms after SIGCONT that
 * way (refused by fencing, yet acting). Here the kept signal's `aborted` and `throwIfAborted()`
 * run `judge` first, which aborts the signal's controller when the deadline has passed.
 *
 * Node's own code (listeners, AbortSignal.any, timers) reads the signal's internal state, not
 * these properties, so it sees the abort when `judge` or the timer does it, as before.
 */
const nativeAborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get;

/**
 * Whether some judge is running now. Judges call methods and getters (`held()`, `session.lost`),
 * which do their own checks; a signal read while one runs (the judge's own code, a backend ending
 * every term of a lost session, a listener of the abort it causes) answers from its state as it
 * stands, without judging again. Judging again there would recurse once per term: a lost session
 * with thousands of terms overflowed the stack.
 */
let judging = false;

/** Where a judged signal keeps its judge (one property key for all: see below). */
const JUDGE = Symbol('judge');
type Judged = AbortSignal & { [JUDGE]?: () => void };

/**
 * The `aborted` getter of every judged signal, one function for all of them: V8 gives objects
 * whose accessors are the same functions one shared shape, while a getter made per signal gave
 * each signal its own shape (a hidden class and a descriptor array: measured about 1 KB a term,
 * with thousands of items held, issue 12).
 */
function judgedAborted(this: Judged): boolean {
  const aborted = nativeAborted as (this: AbortSignal) => boolean;
  const judge = this[JUDGE];
  if (judge !== undefined && !judging && !aborted.call(this)) {
    judging = true;
    try {
      judge();
    } finally {
      judging = false;
    }
  }
  return aborted.call(this);
}

function judgedThrowIfAborted(this: Judged): void {
  if (judgedAborted.call(this)) throw this.reason;
}

const JUDGED_PROPERTIES: PropertyDescriptorMap = {
  aborted: { get: judgedAborted, configurable: true },
  throwIfAborted: { value: judgedThrowIfAborted, configurable: true },
};

export function judgedWhenRead(signal: AbortSignal, judge: () => void): AbortSignal {
  if (nativeAborted === undefined) return signal;
  Object.defineProperty(signal, JUDGE, { value: judge });
  Object.defineProperties(signal, JUDGED_PROPERTIES);
  return signal;
}

/** An AbortController whose signal is {@link judgedWhenRead} with `judge`. */
export function judgedController(judge: () => void): AbortController {
  const controller = new AbortController();
  judgedWhenRead(controller.signal, judge);
  return controller;
}
